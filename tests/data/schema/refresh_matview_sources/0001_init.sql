CREATE TABLE users (id bigint PRIMARY KEY, name text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric);
CREATE VIEW paid_orders AS SELECT * FROM orders WHERE total > 0;
CREATE MATERIALIZED VIEW user_totals AS SELECT u.id, sum(o.total) AS total FROM users u JOIN paid_orders o ON o.user_id = u.id GROUP BY u.id;
CREATE UNIQUE INDEX user_totals_id ON user_totals (id);
