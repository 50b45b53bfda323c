SET lock_timeout = '2s';
CREATE TABLE wishes (id bigint PRIMARY KEY, wanted positive_int);
ALTER DOMAIN positive_int ADD CONSTRAINT positive_int_check CHECK (VALUE > 0) NOT VALID;
ALTER DOMAIN positive_int VALIDATE CONSTRAINT positive_int_check;
ALTER DOMAIN positive_int SET NOT NULL;
ALTER DOMAIN positive_int ADD CONSTRAINT positive_int_small CHECK (VALUE < 1000000);
