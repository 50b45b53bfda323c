CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id int REFERENCES users (id), note varchar(20));
