SET lock_timeout = '2s';
ALTER TABLE orders ALTER COLUMN user_id TYPE bigint;
ALTER TABLE orders ALTER COLUMN note TYPE varchar(40);
ALTER TABLE users ALTER COLUMN id TYPE bigint;
