CREATE TABLE events (id bigint NOT NULL, created date NOT NULL) PARTITION BY RANGE (created);
CREATE TABLE events_other (id bigint NOT NULL, created date NOT NULL);
ALTER TABLE events ATTACH PARTITION events_other DEFAULT;
