CREATE TABLE items (id bigint NOT NULL, name text);
CREATE TABLE books (isbn text) INHERITS (items);
CREATE TABLE ebooks (url text) INHERITS (books);
CREATE TABLE films (id bigint NOT NULL, name text, minutes int);
ALTER TABLE films INHERIT items;
CREATE TABLE toys (id bigint NOT NULL, name text);
ALTER TABLE toys INHERIT items;
ALTER TABLE toys NO INHERIT items;
