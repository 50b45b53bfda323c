CREATE TABLE accounts (
  id bigint PRIMARY KEY,
  name varchar(50),
  bio varchar(100),
  note text,
  balance numeric(10,2),
  code integer,
  label varchar(20)
);
