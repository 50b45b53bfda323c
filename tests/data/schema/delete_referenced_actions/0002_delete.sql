SET lock_timeout = '2s';
DELETE FROM users WHERE id = 1;
UPDATE users SET code = 'c' WHERE id = 2;
DELETE FROM users WHERE id = 99;
DELETE FROM order_lines WHERE id = 1;
