SET lock_timeout = '2s'; SET statement_timeout = '5min';
CREATE INDEX users_email_idx ON users (email);
