SET lock_timeout = '2s';
ALTER TABLE accounts ALTER COLUMN name TYPE varchar(100);
ALTER TABLE accounts ALTER COLUMN bio TYPE text;
ALTER TABLE accounts ALTER COLUMN note TYPE varchar;
ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(12,2);
ALTER TABLE accounts ALTER COLUMN code TYPE integer;
ALTER TABLE accounts ALTER COLUMN label TYPE varchar(10);
ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(14,3);
ALTER TABLE accounts ALTER COLUMN code TYPE bigint;
