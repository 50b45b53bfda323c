CREATE TABLE events (id bigint NOT NULL, created date NOT NULL, note text) PARTITION BY RANGE (created);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 (id bigint NOT NULL, created date NOT NULL, note text) PARTITION BY RANGE (created);
CREATE TABLE events_2026_h1 PARTITION OF events_2026 FOR VALUES FROM ('2026-01-01') TO ('2026-07-01');
