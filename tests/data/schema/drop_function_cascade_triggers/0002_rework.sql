DROP TRIGGER invoices_touch ON invoices;
ALTER TRIGGER orders_touch ON orders RENAME TO orders_set_updated_at;
ALTER TABLE users RENAME TO accounts;
