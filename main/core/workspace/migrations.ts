// Versioned schema. Append new steps; never edit a released one (user_version records what ran).
export const MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE TABLE instances (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL CHECK (type IN ('classification', 'detection', 'ocr')),
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
  );
  CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    instance_id INTEGER NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    source_path TEXT NOT NULL,
    created_at TEXT NOT NULL,
    indexed_at TEXT,
    UNIQUE (instance_id, name)
  );
  -- One row per file that looks like an image (valid or not). Paths are relative, '/'-separated.
  CREATE TABLE images (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms REAL NOT NULL,
    format TEXT,
    width INTEGER,
    height INTEGER,
    orientation INTEGER NOT NULL DEFAULT 1,
    invalid_reason TEXT,
    note TEXT,
    -- The annotation file (VOC sidecar) as last indexed, to notice edits on disk.
    xml_path TEXT,
    xml_size INTEGER,
    xml_mtime_ms REAL,
    xml_error TEXT,
    label TEXT,
    source TEXT NOT NULL DEFAULT 'none' CHECK (source IN ('none', 'folder', 'xml', 'studio')),
    edited_at TEXT,
    UNIQUE (dataset_id, path)
  );
  CREATE INDEX images_dataset_label ON images (dataset_id, label);
  CREATE TABLE boxes (
    id INTEGER PRIMARY KEY,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    label TEXT NOT NULL,
    xmin REAL NOT NULL, ymin REAL NOT NULL, xmax REAL NOT NULL, ymax REAL NOT NULL,
    difficult INTEGER NOT NULL DEFAULT 0,
    truncated INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX boxes_image ON boxes (image_id);
  -- Both sides of a studio edit that met a newer file on disk, so neither is lost.
  CREATE TABLE annotation_conflicts (
    id INTEGER PRIMARY KEY,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    detected_at TEXT NOT NULL,
    kept TEXT NOT NULL CHECK (kept IN ('disk', 'studio')),
    studio_json TEXT NOT NULL,
    disk_json TEXT NOT NULL
  );
  `,
  /* 2: labeling */ `
  -- Bumped on every change of an image's annotation: a save based on an older revision is stale.
  ALTER TABLE images ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
  -- Set by "submit" (labelImg's "verified").
  ALTER TABLE images ADD COLUMN reviewed_at TEXT;
  -- Write VOC sidecars next to the images on submit.
  ALTER TABLE datasets ADD COLUMN write_back INTEGER NOT NULL DEFAULT 0;
  -- Labels declared by the user before (or without) being used.
  CREATE TABLE labels (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (dataset_id, name)
  );
  `,
  /* 3: training (runs as seed 002's experiment runs; models as versions with lineage) */ `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    instance_id INTEGER NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    algorithm TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
    stop_reason TEXT CHECK (stop_reason IN ('completed', 'early_stop', 'time_budget', 'user', 'failed')),
    params_json TEXT NOT NULL,
    labels_json TEXT NOT NULL,
    backend_json TEXT,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    error TEXT,
    base_model_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
    train_images INTEGER NOT NULL DEFAULT 0,
    val_images INTEGER NOT NULL DEFAULT 0,
    metrics_json TEXT,
    -- The process that drives the run, to tell a live run from one whose app crashed.
    owner_pid INTEGER,
    -- Set by another process (e.g. "runs stop" from the CLI); the owner polls it.
    stop_requested_at TEXT,
    dir TEXT NOT NULL,
    UNIQUE (instance_id, name)
  );
  CREATE TABLE run_epochs (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    trial INTEGER,
    epoch INTEGER NOT NULL,
    record_json TEXT NOT NULL
  );
  CREATE INDEX run_epochs_run ON run_epochs (run_id);
  CREATE TABLE run_trials (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    params_json TEXT NOT NULL,
    status TEXT NOT NULL,
    metric REAL,
    val_accuracy REAL,
    epochs INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, idx)
  );
  CREATE TABLE run_logs (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    level TEXT NOT NULL,
    message TEXT NOT NULL
  );
  CREATE INDEX run_logs_run ON run_logs (run_id, id);
  CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    instance_id INTEGER NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    run_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    labels_json TEXT NOT NULL,
    backbone TEXT,
    input_size INTEGER NOT NULL,
    metrics_json TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    base_model_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
    from_checkpoint INTEGER NOT NULL DEFAULT 0,
    dir TEXT NOT NULL
  );
  `,
  /* 4: model-assisted labeling (one pending suggestion per image, until accepted or rejected) */ `
  CREATE TABLE suggestions (
    image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    -- Kept when the model version is deleted: the suggestion is still the user's to judge.
    model_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
    model_name TEXT NOT NULL,
    -- The pre-label job that made it: a full run drops the suggestions of earlier runs at its end.
    job_id TEXT NOT NULL,
    uncertainty REAL NOT NULL,
    -- Classification: the likeliest label, its confidence and every class ([{label, conf}]).
    label TEXT,
    conf REAL,
    confidences_json TEXT NOT NULL DEFAULT '[]',
    -- Detection/OCR: [{label, xmin, ymin, xmax, ymax, difficult, truncated, conf}] in image pixels.
    boxes_json TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
  );
  CREATE INDEX suggestions_rank ON suggestions (dataset_id, uncertainty DESC);
  `,
];
