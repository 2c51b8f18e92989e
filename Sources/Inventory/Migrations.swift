/// One append-only schema change. Never edit a shipped migration: add a new one.
struct Migration: Sendable {
    /// Strictly increasing version number.
    let version: Int
    /// What the migration does, for the log and the `schema_migrations` table.
    let name: String
    /// Statements, run in order in one transaction; written in SQL that SQLite and PostgreSQL both accept.
    let statements: [String]
    /// PostgreSQL's own statements, where its SQL differs from SQLite's (triggers); nil when `statements` serve both.
    var postgresStatements: [String]? = nil

    /// The statements to run on `dialect`.
    func statements(for dialect: SQLDialect) -> [String] {
        dialect == .postgres ? (postgresStatements ?? statements) : statements
    }
}

/// The schema's history. Constraints (uniqueness, tenant-scoped foreign keys) live here, not only in code.
enum Migrations {
    static let all: [Migration] = [
        Migration(version: 1, name: "initial inventory schema", statements: initialSchema),
        Migration(
            version: 2,
            name: "index open update runs by status time",
            statements: ["CREATE INDEX runs_open ON os_update_runs (end_time, status_timestamp)"]
        ),
        Migration(
            version: 3,
            name: "count configuration changes per project",
            statements: configGenerationSQLite,
            postgresStatements: configGenerationPostgres
        ),
        Migration(version: 4, name: "rollouts in waves", statements: rolloutSchema),
    ]

    /// Version 4: rollouts and the hosts they own. A host belongs to at most one rollout that still owns it
    /// (`active = 1`: the rollout is unfinished, or the host's update is still under way): a partial unique index.
    private static let rolloutSchema: [String] = [
        """
        CREATE TABLE rollouts (
            resource_id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL,
            os_update_policy_id TEXT NOT NULL,
            target_kind TEXT NOT NULL CHECK (target_kind IN ('region', 'site', 'hosts', 'filter')),
            target_value TEXT NOT NULL,
            waves TEXT NOT NULL,
            success_threshold BIGINT NOT NULL CHECK (success_threshold BETWEEN 0 AND 100),
            failure_threshold BIGINT NOT NULL CHECK (failure_threshold BETWEEN 0 AND 100),
            soak_seconds BIGINT NOT NULL,
            commit_deadline_seconds BIGINT NOT NULL,
            start_seconds BIGINT NOT NULL,
            respect_windows BIGINT NOT NULL,
            window_seconds BIGINT NOT NULL,
            state TEXT NOT NULL,
            state_reason TEXT NOT NULL DEFAULT '',
            current_wave BIGINT NOT NULL,
            version BIGINT NOT NULL DEFAULT 0,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (tenant_id, resource_id),
            FOREIGN KEY (tenant_id, os_update_policy_id) REFERENCES os_update_policies (tenant_id, resource_id)
        )
        """,
        "CREATE INDEX rollouts_state ON rollouts (state)",
        "CREATE INDEX rollouts_policy ON rollouts (tenant_id, os_update_policy_id)",
        """
        CREATE TABLE rollout_hosts (
            tenant_id TEXT NOT NULL,
            rollout_id TEXT NOT NULL,
            host_id TEXT NOT NULL,
            wave BIGINT NOT NULL,
            position BIGINT NOT NULL,
            state TEXT NOT NULL,
            reason TEXT,
            reason_detail TEXT NOT NULL DEFAULT '',
            run_id TEXT,
            opened_at BIGINT,
            started_at BIGINT,
            ended_at BIGINT,
            active BIGINT NOT NULL,
            PRIMARY KEY (rollout_id, host_id),
            FOREIGN KEY (tenant_id, rollout_id) REFERENCES rollouts (tenant_id, resource_id),
            FOREIGN KEY (tenant_id, host_id) REFERENCES hosts (tenant_id, resource_id)
        )
        """,
        "CREATE UNIQUE INDEX rollout_hosts_owner ON rollout_hosts (tenant_id, host_id) WHERE active = 1",
        "CREATE INDEX rollout_hosts_order ON rollout_hosts (tenant_id, rollout_id, position)",
        "CREATE INDEX rollout_hosts_state ON rollout_hosts (tenant_id, rollout_id, state, wave)",
        "CREATE INDEX runs_instance_start ON os_update_runs (tenant_id, instance_id, start_time)",
    ]

    /// The tables whose rows shape a poll's answer apart from the host's own instance: a change to any of them
    /// bumps the project's configuration generation, which the Maintenance Manager's poll cache checks.
    static let configurationTables = ["regions", "sites", "hosts", "os_resources", "os_update_policies", "schedules"]

    private static let configGenerationTable =
        "CREATE TABLE config_generations (tenant_id TEXT PRIMARY KEY, generation BIGINT NOT NULL)"

    /// Version 3 on SQLite: one trigger per table and event (SQLite triggers name a single event).
    private static let configGenerationSQLite: [String] =
        [configGenerationTable]
        + configurationTables.flatMap { table in
            [("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")].map { event, row in
                "CREATE TRIGGER \(table)_\(event)_config_generation AFTER \(event.uppercased()) ON \(table) BEGIN "
                    + "INSERT INTO config_generations (tenant_id, generation) VALUES (\(row).tenant_id, 1) "
                    + "ON CONFLICT (tenant_id) DO UPDATE SET generation = generation + 1; END"
            }
        }

    /// Version 3 on PostgreSQL: one trigger function shared by every table.
    private static let configGenerationPostgres: [String] =
        [
            configGenerationTable,
            """
            CREATE FUNCTION day2_bump_config_generation() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE tenant TEXT;
            BEGIN
                IF TG_OP = 'DELETE' THEN tenant := OLD.tenant_id; ELSE tenant := NEW.tenant_id; END IF;
                INSERT INTO config_generations (tenant_id, generation) VALUES (tenant, 1)
                ON CONFLICT (tenant_id) DO UPDATE SET generation = config_generations.generation + 1;
                RETURN NULL;
            END
            $$
            """,
        ]
        + configurationTables.map { table in
            "CREATE TRIGGER \(table)_config_generation AFTER INSERT OR UPDATE OR DELETE ON \(table) "
                + "FOR EACH ROW EXECUTE FUNCTION day2_bump_config_generation()"
        }

    /// Version 1: every resource table carries `tenant_id`, and every reference between resources is a composite
    /// foreign key on `(tenant_id, id)`, so the schema itself forbids a row pointing into another project.
    private static let initialSchema: [String] = [
        """
        CREATE TABLE projects (
            tenant_id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE regions (
            resource_id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            parent_region_id TEXT,
            metadata TEXT NOT NULL DEFAULT '[]',
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (tenant_id, resource_id),
            FOREIGN KEY (tenant_id, parent_region_id) REFERENCES regions (tenant_id, resource_id)
        )
        """,
        "CREATE INDEX regions_parent ON regions (tenant_id, parent_region_id)",
        """
        CREATE TABLE sites (
            resource_id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            region_id TEXT,
            site_lat BIGINT NOT NULL DEFAULT 0,
            site_lng BIGINT NOT NULL DEFAULT 0,
            metadata TEXT NOT NULL DEFAULT '[]',
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (tenant_id, resource_id),
            FOREIGN KEY (tenant_id, region_id) REFERENCES regions (tenant_id, resource_id)
        )
        """,
        "CREATE INDEX sites_region ON sites (tenant_id, region_id)",
        """
        CREATE TABLE hosts (
            resource_id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            uuid TEXT,
            serial_number TEXT NOT NULL DEFAULT '',
            site_id TEXT,
            desired_state TEXT NOT NULL,
            current_state TEXT NOT NULL,
            host_status TEXT NOT NULL DEFAULT '',
            host_status_indicator TEXT NOT NULL DEFAULT 'STATUS_INDICATION_UNSPECIFIED',
            host_status_timestamp BIGINT NOT NULL DEFAULT 0,
            onboarding_status TEXT NOT NULL DEFAULT '',
            onboarding_status_indicator TEXT NOT NULL DEFAULT 'STATUS_INDICATION_UNSPECIFIED',
            onboarding_status_timestamp BIGINT NOT NULL DEFAULT 0,
            registration_status TEXT NOT NULL DEFAULT '',
            registration_status_indicator TEXT NOT NULL DEFAULT 'STATUS_INDICATION_UNSPECIFIED',
            registration_status_timestamp BIGINT NOT NULL DEFAULT 0,
            metadata TEXT NOT NULL DEFAULT '[]',
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (tenant_id, resource_id),
            UNIQUE (tenant_id, uuid),
            FOREIGN KEY (tenant_id, site_id) REFERENCES sites (tenant_id, resource_id)
        )
        """,
        "CREATE INDEX hosts_site ON hosts (tenant_id, site_id)",
        """
        CREATE TABLE os_resources (
            resource_id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL,
            architecture TEXT NOT NULL DEFAULT '',
            image_url TEXT NOT NULL DEFAULT '',
            image_id TEXT NOT NULL DEFAULT '',
            sha256 TEXT NOT NULL,
            profile_name TEXT NOT NULL DEFAULT '',
            profile_version TEXT NOT NULL DEFAULT '',
            installed_packages TEXT NOT NULL DEFAULT '',
            installed_packages_url TEXT NOT NULL DEFAULT '',
            security_feature TEXT NOT NULL,
            os_type TEXT NOT NULL,
            os_provider TEXT NOT NULL,
            platform_bundle TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            metadata TEXT NOT NULL DEFAULT '',
            tls_ca_cert TEXT NOT NULL DEFAULT '',
            existing_cves_url TEXT NOT NULL DEFAULT '',
            existing_cves TEXT NOT NULL DEFAULT '',
            fixed_cves_url TEXT NOT NULL DEFAULT '',
            fixed_cves TEXT NOT NULL DEFAULT '',
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (tenant_id, resource_id),
            UNIQUE (tenant_id, name),
            UNIQUE (tenant_id, profile_name, image_id)
        )
        """,
        """
        CREATE TABLE os_update_policies (
            resource_id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            update_sources TEXT NOT NULL DEFAULT '[]',
            update_packages TEXT NOT NULL DEFAULT '',
            update_kernel_command TEXT NOT NULL DEFAULT '',
            target_os_id TEXT,
            update_policy TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (tenant_id, resource_id),
            FOREIGN KEY (tenant_id, target_os_id) REFERENCES os_resources (tenant_id, resource_id)
        )
        """,
        "CREATE INDEX policies_target_os ON os_update_policies (tenant_id, target_os_id)",
        """
        CREATE TABLE instances (
            resource_id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL,
            desired_state TEXT NOT NULL,
            current_state TEXT NOT NULL,
            host_id TEXT NOT NULL,
            os_id TEXT NOT NULL,
            security_feature TEXT NOT NULL,
            instance_status TEXT NOT NULL DEFAULT '',
            instance_status_indicator TEXT NOT NULL DEFAULT 'STATUS_INDICATION_UNSPECIFIED',
            instance_status_timestamp BIGINT NOT NULL DEFAULT 0,
            instance_status_detail TEXT NOT NULL DEFAULT '',
            provisioning_status TEXT NOT NULL DEFAULT '',
            provisioning_status_indicator TEXT NOT NULL DEFAULT 'STATUS_INDICATION_UNSPECIFIED',
            provisioning_status_timestamp BIGINT NOT NULL DEFAULT 0,
            update_status TEXT NOT NULL DEFAULT '',
            update_status_indicator TEXT NOT NULL DEFAULT 'STATUS_INDICATION_UNSPECIFIED',
            update_status_timestamp BIGINT NOT NULL DEFAULT 0,
            trusted_attestation_status TEXT NOT NULL DEFAULT '',
            trusted_attestation_status_indicator TEXT NOT NULL DEFAULT 'STATUS_INDICATION_UNSPECIFIED',
            trusted_attestation_status_timestamp BIGINT NOT NULL DEFAULT 0,
            existing_cves TEXT NOT NULL DEFAULT '',
            runtime_packages TEXT NOT NULL DEFAULT '',
            os_update_available TEXT NOT NULL DEFAULT '',
            os_update_policy_id TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (tenant_id, resource_id),
            UNIQUE (tenant_id, host_id),
            FOREIGN KEY (tenant_id, host_id) REFERENCES hosts (tenant_id, resource_id),
            FOREIGN KEY (tenant_id, os_id) REFERENCES os_resources (tenant_id, resource_id),
            FOREIGN KEY (tenant_id, os_update_policy_id) REFERENCES os_update_policies (tenant_id, resource_id)
        )
        """,
        "CREATE INDEX instances_os ON instances (tenant_id, os_id)",
        "CREATE INDEX instances_policy ON instances (tenant_id, os_update_policy_id)",
        """
        CREATE TABLE os_update_runs (
            resource_id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            applied_policy_id TEXT,
            instance_id TEXT NOT NULL,
            status_indicator TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT '',
            status_details TEXT NOT NULL DEFAULT '',
            status_timestamp BIGINT NOT NULL DEFAULT 0,
            start_time BIGINT NOT NULL,
            end_time BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (tenant_id, resource_id),
            FOREIGN KEY (tenant_id, applied_policy_id) REFERENCES os_update_policies (tenant_id, resource_id),
            FOREIGN KEY (tenant_id, instance_id) REFERENCES instances (tenant_id, resource_id)
        )
        """,
        "CREATE INDEX runs_instance ON os_update_runs (tenant_id, instance_id, end_time)",
        "CREATE INDEX runs_policy ON os_update_runs (tenant_id, applied_policy_id)",
        """
        CREATE TABLE schedules (
            resource_id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('single', 'repeated')),
            name TEXT NOT NULL DEFAULT '',
            schedule_status TEXT NOT NULL,
            target_host_id TEXT,
            target_site_id TEXT,
            target_region_id TEXT,
            start_seconds BIGINT,
            end_seconds BIGINT,
            duration_seconds BIGINT,
            cron_minutes TEXT,
            cron_hours TEXT,
            cron_day_month TEXT,
            cron_month TEXT,
            cron_day_week TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (tenant_id, resource_id),
            CHECK ((CASE WHEN target_host_id IS NULL THEN 0 ELSE 1 END)
                 + (CASE WHEN target_site_id IS NULL THEN 0 ELSE 1 END)
                 + (CASE WHEN target_region_id IS NULL THEN 0 ELSE 1 END) <= 1),
            FOREIGN KEY (tenant_id, target_host_id) REFERENCES hosts (tenant_id, resource_id),
            FOREIGN KEY (tenant_id, target_site_id) REFERENCES sites (tenant_id, resource_id),
            FOREIGN KEY (tenant_id, target_region_id) REFERENCES regions (tenant_id, resource_id)
        )
        """,
        "CREATE INDEX schedules_host ON schedules (tenant_id, target_host_id)",
        "CREATE INDEX schedules_site ON schedules (tenant_id, target_site_id)",
        "CREATE INDEX schedules_region ON schedules (tenant_id, target_region_id)",
        """
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_at BIGINT NOT NULL
        )
        """,
    ]
}

/// Facts about the Inventory schema that callers may check (health endpoints, tests).
public enum InventorySchema {
    /// The version the store migrates to.
    public static var latestVersion: Int { Migrations.all.last?.version ?? 0 }
}
