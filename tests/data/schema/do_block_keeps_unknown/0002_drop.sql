SET lock_timeout = '2s';
DROP TABLE IF EXISTS made_by_code;
