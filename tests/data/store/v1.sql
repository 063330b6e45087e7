-- A database as schema version 1 left it, frozen: never change this file.
-- The tests load it by hand and let the store migrate it, so every older
-- schema stays covered. Times are ms since 1970 (UTC).
CREATE TABLE responses (
  id INTEGER PRIMARY KEY,
  response_id TEXT NOT NULL UNIQUE,
  seq INTEGER NOT NULL UNIQUE,
  survey_id TEXT NOT NULL,
  survey_version INTEGER NOT NULL,
  mode TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('started', 'complete', 'partial')),
  language TEXT NOT NULL,
  area TEXT,
  started_ms INTEGER NOT NULL,
  completed_ms INTEGER,
  flags TEXT NOT NULL DEFAULT '[]',
  delivered INTEGER NOT NULL DEFAULT 0 CHECK (delivered IN (0, 1))
);
CREATE TABLE answers (
  id INTEGER PRIMARY KEY,
  response INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
  question_id TEXT NOT NULL,
  value TEXT NOT NULL,
  answered_ms INTEGER NOT NULL,
  UNIQUE (response, question_id)
);

-- 1: delivered long ago. 2: partial, waiting for upload. 5: still started
-- (3 and 4 were purged before the upgrade).
INSERT INTO responses VALUES (1, '0f8fad5b-d9cb-469f-a165-70867728950e', 1, 'buurtpeiling-2026', 3,
  'survey', 'complete', 'nl', 'dorst', 1795000000000, 1795000149492, '[]', 1);
INSERT INTO responses VALUES (2, '7c9e6679-7425-40de-944b-e07fc1f90ae7', 2, 'buurtpeiling-2026', 3,
  'live', 'partial', 'en', NULL, 1795946400020, 1795946549512, '["rapid"]', 0);
INSERT INTO responses VALUES (3, 'a3bb189e-8bf9-4888-9912-ace4e6543002', 5, 'buurtpeiling-2026', 3,
  'survey', 'started', 'nl', 'oosteind', 1795946600000, NULL, '[]', 0);

INSERT INTO answers VALUES (1, 1, 'q1', '4', 1795000010000);
INSERT INTO answers VALUES (2, 1, 'q2', '"bus"', 1795000020000);
INSERT INTO answers VALUES (3, 2, 'q3', '["park","speeltuin"]', 1795946410000);
INSERT INTO answers VALUES (4, 2, 'q4', '"Meer bankjes; \"echt\"\nbij de vijver é"', 1795946420000);
INSERT INTO answers VALUES (5, 2, 'q1', '2', 1795946430000);
INSERT INTO answers VALUES (6, 3, 'q1', '5', 1795946610000);

PRAGMA user_version = 1;
