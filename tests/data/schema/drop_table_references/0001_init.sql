CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), total numeric(10,2));
CREATE TABLE order_lines (id bigint PRIMARY KEY, order_id bigint NOT NULL);
