CREATE TABLE users (id bigint PRIMARY KEY, name text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric);
CREATE VIEW user_totals AS SELECT u.id, sum(o.total) AS total FROM users u JOIN orders o ON o.user_id = u.id GROUP BY u.id;
CREATE VIEW big_spenders AS SELECT id FROM user_totals WHERE total > 1000;
