CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
CREATE TABLE order_lines (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));
CREATE TABLE audit (id bigint PRIMARY KEY);
