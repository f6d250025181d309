import PostgresNIO

/// One named schema change of the PostgreSQL store; its name is recorded in `loupe_migrations` once applied.
struct PostgresMigration: Sendable {
    var name: String
    /// Run in order, one statement each, because the extended query protocol takes a single statement.
    var statements: [String]
    /// Runs after the statements, in the same transaction: fills what they created from existing data.
    var fill: (@Sendable (PostgresTraceStore, PostgresConnection) async throws -> Void)?

    /// Every migration this binary knows, oldest first. Append only: never edit or reorder an applied one.
    static let all: [PostgresMigration] = [
        PostgresMigration(name: "v1-traces", statements: [
            """
            CREATE TABLE traces (
                id TEXT COLLATE "C" PRIMARY KEY,      -- "C" so ids order bytewise, as in SQLite
                created_at BIGINT NOT NULL,           -- Unix milliseconds, so cursors compare exactly
                endpoint TEXT NOT NULL,
                provider TEXT,
                model TEXT,
                upstream_model TEXT,
                stream BOOLEAN NOT NULL,
                status TEXT NOT NULL,
                status_code INTEGER NOT NULL,
                error TEXT,
                latency_ms DOUBLE PRECISION NOT NULL,
                ttft_ms DOUBLE PRECISION,
                input_tokens BIGINT,
                output_tokens BIGINT,
                cached_input_tokens BIGINT,
                reasoning_tokens BIGINT,
                cost_picos BIGINT,                    -- USD × 10^12; NULL when the price is unknown
                user_id TEXT,
                session_id TEXT,
                tags TEXT[] NOT NULL,                 -- in the order given; indexed by traces_tags
                metadata TEXT,                        -- JSON object, kept as written
                request TEXT,
                response TEXT,
                request_truncated BOOLEAN NOT NULL,
                response_truncated BOOLEAN NOT NULL
            )
            """,
            "CREATE INDEX traces_created ON traces (created_at, id)",
            "CREATE INDEX traces_model ON traces (model, created_at, id)",
            "CREATE INDEX traces_provider ON traces (provider, created_at, id)",
            "CREATE INDEX traces_user ON traces (user_id, created_at, id)",
            "CREATE INDEX traces_session ON traces (session_id, created_at, id)",
            "CREATE INDEX traces_status ON traces (status, created_at, id)",
            "CREATE INDEX traces_status_code ON traces (status_code, created_at, id)",
            "CREATE INDEX traces_tags ON traces USING GIN (tags)",
            // Bodies over ~2 KB are compressed: lz4 writes them about a third faster than the default pglz.
            // Servers without it (built without lz4, or before PostgreSQL 14) keep their default.
            """
            DO $$
            BEGIN
                EXECUTE 'ALTER TABLE traces ALTER COLUMN request SET COMPRESSION lz4, ALTER COLUMN response SET COMPRESSION lz4';
            EXCEPTION WHEN feature_not_supported OR syntax_error THEN
                NULL;
            END
            $$
            """,
        ]),
        // Filled from the traces by v21, the newest migration that changes what rollups count or how: a fill runs
        // today's code, which reads and writes columns that later migrations add.
        PostgresMigration(name: "v2-cost-rollups", statements: PostgresTraceStore.createCostRollups),
        // Status filters look for the few calls that did not succeed; indexing every successful one
        // too cost a fifth of the ingest rate. Queries repeat the predicate so the planner can use them.
        PostgresMigration(name: "v3-unsuccessful-indexes", statements: [
            "DROP INDEX traces_status",
            "DROP INDEX traces_status_code",
            "CREATE INDEX traces_unsuccessful ON traces (status, created_at, id) WHERE status <> 'ok'",
            "CREATE INDEX traces_unsuccessful_code ON traces (status_code, created_at, id) WHERE status_code NOT BETWEEN 200 AND 299",
        ]),
        PostgresMigration(name: "v4-prompts", statements: PostgresTraceStore.createPrompts),
        // Which registry prompt produced a call; the rollups gain the prompt dimension for old days too (v21 refills them).
        PostgresMigration(name: "v5-trace-prompts", statements: [
            "ALTER TABLE traces ADD COLUMN prompt_name TEXT, ADD COLUMN prompt_version INTEGER",
            "CREATE INDEX traces_prompt ON traces (prompt_name, created_at, id) WHERE prompt_name IS NOT NULL",
        ]),
        // What guardrail checks found (a JSON array); the few calls with any are indexed for the report.
        PostgresMigration(name: "v6-trace-guardrails", statements: [
            "ALTER TABLE traces ADD COLUMN guardrails JSONB",
            "CREATE INDEX traces_guardrails ON traces (created_at) WHERE guardrails IS NOT NULL",
        ]),
        PostgresMigration(name: "v7-tracking", statements: PostgresTraceStore.createTracking),
        PostgresMigration(name: "v8-model-registry", statements: PostgresTraceStore.createModelRegistry),
        PostgresMigration(name: "v9-logged-models", statements: PostgresTraceStore.createLoggedModels),
        // The datasets a run used, each MLflow DatasetInput kept as its JSON; the key makes a repeat a no-op.
        PostgresMigration(name: "v10-run-inputs", statements: [
            "CREATE TABLE run_inputs (seq BIGSERIAL, run_id TEXT NOT NULL REFERENCES runs (id), input TEXT NOT NULL, UNIQUE (run_id, input))",
        ]),
        // Runs in a search's default order (start_time DESC, id), so a page is read without sorting every run;
        // with the stage, from the index alone.
        PostgresMigration(name: "v11-run-search-order", statements: [
            "CREATE INDEX runs_search ON runs (experiment_id, start_time DESC, id, lifecycle_stage)",
            "DROP INDEX runs_experiment",
        ]),
        PostgresMigration(name: "v12-eval-cases", statements: [
            """
            CREATE TABLE eval_cases (
                run_id TEXT NOT NULL REFERENCES runs (id), position INTEGER NOT NULL, result TEXT NOT NULL, PRIMARY KEY (run_id, position)
            )
            """,
        ]),
        PostgresMigration(name: "v13-keys", statements: [
            "ALTER TABLE traces ADD COLUMN cache_write_input_tokens BIGINT, ADD COLUMN key_id TEXT, ADD COLUMN key_name TEXT",
            "CREATE INDEX traces_key ON traces (key_id, created_at) WHERE key_id IS NOT NULL",
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, key_hash TEXT NOT NULL UNIQUE, key_prefix TEXT NOT NULL,
                created_at BIGINT NOT NULL, expires_at BIGINT, revoked_at BIGINT, budget_picos BIGINT, budget_period TEXT NOT NULL,
                rpm INTEGER, tpm INTEGER, models TEXT[] NOT NULL, scopes TEXT[] NOT NULL
            )
            """,
        ]),
        PostgresMigration(name: "v14-trace-routing", statements: [
            """
            ALTER TABLE traces ADD COLUMN variant TEXT, ADD COLUMN parent_trace_id TEXT, ADD COLUMN cache_hit BOOLEAN NOT NULL DEFAULT false,
                ADD COLUMN cost_saved_picos BIGINT, ADD COLUMN attempts JSONB
            """,
            "CREATE INDEX traces_parent ON traces (parent_trace_id) WHERE parent_trace_id IS NOT NULL",
            "CREATE INDEX traces_variant ON traces (variant, created_at) WHERE variant IS NOT NULL",
        ]),
        // What each instance took from its rate-limit buckets, for the others to charge (see +RateUsage).
        PostgresMigration(name: "v15-rate-usage", statements: PostgresTraceStore.createRateUsage),
        // OpenTelemetry spans received on /v1/traces (see +Spans).
        PostgresMigration(name: "v16-otel-spans", statements: PostgresTraceStore.createSpans),
        // SQLite's integer run keys; PostgreSQL's run searches keep their text ids, so nothing changes here.
        PostgresMigration(name: "v17-run-keys", statements: []),
        // Two writers (the two statements of a batch, or two instances) add to separate copies of a rollup row,
        // so neither waits for the other's commit; reports merge the copies as they merge days.
        PostgresMigration(name: "v18-rollup-shards", statements: [
            "ALTER TABLE cost_rollups ADD COLUMN shard INT2 NOT NULL DEFAULT 0",
            "ALTER TABLE cost_rollups DROP CONSTRAINT cost_rollups_pkey",
            "ALTER TABLE cost_rollups ADD PRIMARY KEY (dimension, key_is_null, key, day, shard)",
            // Histograms now merge in subqueries inside the upsert (see addToRollupRow), cheaper than these calls.
            "DROP FUNCTION loupe_merge_latency_buckets(INT4[], INT4[])",
            "DROP FUNCTION loupe_merge_latency_counts(INT4[], INT8[], INT4[], INT8[])",
        ]),
        // Most calls carry no session, many no user and no tags: index only those that do. A filter by session
        // or user implies its column is not null; the tag filter repeats the GIN index's predicate.
        PostgresMigration(name: "v19-sparse-trace-indexes", statements: [
            "DROP INDEX traces_session",
            "CREATE INDEX traces_session ON traces (session_id, created_at, id) WHERE session_id IS NOT NULL",
            "DROP INDEX traces_user",
            "CREATE INDEX traces_user ON traces (user_id, created_at, id) WHERE user_id IS NOT NULL",
            "DROP INDEX traces_tags",
            "CREATE INDEX traces_tags ON traces USING GIN (tags) WHERE tags <> '{}'",
        ]),
        // A rollup row's histogram arrays (about 3.5 KB) take it past PostgreSQL's 2 KB threshold, so every upsert
        // compresses them again: with the default pglz that was 13 % of the server's time during proxy load, with
        // lz4 0.4 %. Servers without lz4 keep their default, as for the bodies in v1.
        PostgresMigration(name: "v20-rollup-lz4", statements: [
            """
            DO $$
            BEGIN
                EXECUTE 'ALTER TABLE cost_rollups ALTER COLUMN latency_buckets SET COMPRESSION lz4, ALTER COLUMN latency_counts SET COMPRESSION lz4';
            EXCEPTION WHEN feature_not_supported OR syntax_error THEN
                NULL;
            END
            $$
            """,
        ]),
        // Latency histograms become dense: a zero count, a first bucket and the count of every bucket from there, so
        // that an upsert adds two of them element by element instead of joining sparse bucket lists (see
        // addToRollupRow). The rollups are counted again from the traces, which they always match: retention deletes
        // both. Servers without lz4 keep their default compression, as in v20.
        PostgresMigration(name: "v21-dense-latency", statements: [
            "DELETE FROM cost_rollups",
            "ALTER TABLE cost_rollups DROP COLUMN latency_buckets, DROP COLUMN latency_counts",
            "ALTER TABLE cost_rollups ADD COLUMN latency_zero INT8 NOT NULL, ADD COLUMN latency_first INT4, ADD COLUMN latency_counts INT8[] NOT NULL",
            """
            DO $$
            BEGIN
                EXECUTE 'ALTER TABLE cost_rollups ALTER COLUMN latency_counts SET COMPRESSION lz4';
            EXCEPTION WHEN feature_not_supported OR syntax_error THEN
                NULL;
            END
            $$
            """,
        ]) { store, connection in
            try await store.rebuildCostRollups(on: connection, days: nil)
        },
    ]
}
