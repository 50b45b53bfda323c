-- Typical mistakes on large, busy tables.
BEGIN;
ALTER TABLE users ADD COLUMN verified boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
CREATE INDEX users_created_at_idx ON users (created_at);
ALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 2);
ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);
COMMIT;
