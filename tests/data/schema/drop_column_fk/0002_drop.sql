SET lock_timeout = '2s';
ALTER TABLE orders DROP COLUMN note;
ALTER TABLE orders DROP COLUMN user_id;
