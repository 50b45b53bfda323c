CREATE TABLE users (id bigint PRIMARY KEY, code text UNIQUE);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id) ON DELETE CASCADE);
CREATE TABLE order_lines (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));
CREATE TABLE sessions (id bigint PRIMARY KEY, user_id bigint REFERENCES users ON DELETE SET NULL);
CREATE TABLE audit (id bigint PRIMARY KEY, user_code text REFERENCES users (code) ON UPDATE CASCADE);
INSERT INTO users VALUES (1, 'a'), (2, 'b');
INSERT INTO orders VALUES (10, 1);
INSERT INTO sessions VALUES (100, 1);
INSERT INTO audit VALUES (1000, 'b');
