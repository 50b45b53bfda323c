CREATE DOMAIN positive_int AS int;
CREATE TABLE products (id bigint PRIMARY KEY, stock positive_int);
CREATE TABLE carts (id bigint PRIMARY KEY, quantity positive_int, note text);
CREATE TABLE archive (id bigint PRIMARY KEY, quantity positive_int);
ALTER TABLE archive ALTER COLUMN quantity TYPE int;
CREATE TABLE plain (id bigint PRIMARY KEY, n int);
