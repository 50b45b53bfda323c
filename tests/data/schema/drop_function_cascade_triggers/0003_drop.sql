SET lock_timeout = '2s';
CREATE TABLE payments (id bigint PRIMARY KEY, updated_at timestamptz);
CREATE TRIGGER payments_touch BEFORE UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER audit_touch BEFORE UPDATE ON audit FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
DROP FUNCTION touch_updated_at() CASCADE;
DROP FUNCTION audit_noop CASCADE;
