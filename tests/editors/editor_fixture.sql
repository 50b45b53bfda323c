SET lock_timeout = '2s'; SET statement_timeout = '5min';
CREATE INDEX users_email_idx ON users (email);
CREATE INDEX users_id_email_idx ON users (id, email);
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
