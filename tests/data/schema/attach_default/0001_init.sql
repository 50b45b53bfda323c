CREATE TABLE events (id bigint NOT NULL, created date NOT NULL) PARTITION BY RANGE (created);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_other PARTITION OF events DEFAULT;
CREATE TABLE events_2026 (id bigint NOT NULL, created date NOT NULL);
