CREATE TABLE users (id bigint PRIMARY KEY, code text UNIQUE);
CREATE TABLE orders (id bigint PRIMARY KEY, user_code text REFERENCES users (code));
