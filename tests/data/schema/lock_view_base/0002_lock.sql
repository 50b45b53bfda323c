SET lock_timeout = '2s';
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
CREATE VIEW note_bodies AS SELECT body FROM notes;
BEGIN;
LOCK TABLE big_spenders IN SHARE MODE;
LOCK TABLE note_bodies IN ACCESS EXCLUSIVE MODE;
COMMIT;
