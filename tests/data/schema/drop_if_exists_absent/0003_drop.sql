SET lock_timeout = '2s';
DROP INDEX IF EXISTS never_created_idx;
DROP TABLE IF EXISTS never_created;
DROP TABLE IF EXISTS legacy;
DROP INDEX IF EXISTS users_email_idx;
