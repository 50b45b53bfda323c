CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE TABLE products (id bigint PRIMARY KEY, name text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), total numeric(10,2));
CREATE TABLE order_lines (id bigint PRIMARY KEY, order_id bigint NOT NULL, product_id bigint);
INSERT INTO users VALUES (1, 'a'), (2, 'b');
INSERT INTO products VALUES (1, 'p');
INSERT INTO orders VALUES (5, 1, 1.00);
