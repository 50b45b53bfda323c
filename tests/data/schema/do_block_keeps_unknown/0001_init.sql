CREATE TABLE users (id bigint PRIMARY KEY);
DO $$ BEGIN EXECUTE 'CREATE TABLE made_by_code (id int)'; END $$;
