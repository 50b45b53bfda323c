CREATE TABLE users (id bigint PRIMARY KEY, updated_at timestamptz);
CREATE TABLE orders (id bigint PRIMARY KEY, updated_at timestamptz);
CREATE TABLE invoices (id bigint PRIMARY KEY, updated_at timestamptz);
CREATE TABLE audit (id bigint PRIMARY KEY, note text);
CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
CREATE FUNCTION audit_noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER invoices_touch BEFORE UPDATE ON invoices FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER audit_check BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_noop();
