/**
 * When Google may touch the stack's managed services, all in UTC as their APIs take them. The
 * database dumps (components/k8s/backups.ts) run in IST from 02:00 daily, 03:00 Sundays and 04:00
 * on the 1st, each for up to 3 hours, so 02:00-07:00 IST is theirs: a Cloud SQL backup beside a
 * dump doubles the load on the instance, and a GKE node upgrade or a Cloud SQL restart kills the
 * dump in flight. Everything else goes into the late evening before, when an Indian bookkeeping
 * SaaS is quiet too:
 *
 * | what                         | UTC               | IST                     |
 * |------------------------------|-------------------|-------------------------|
 * | Cloud SQL maintenance        | Sun 15:00, 1 h    | Sun 20:30-21:30         |
 * | Cloud SQL automated backup   | daily 16:00, 4 h  | 21:30-01:30             |
 * | GKE maintenance              | daily 16:00, 4 h  | 21:30-01:30             |
 * | database dumps               | 20:30-01:30       | 02:00-07:00             |
 *
 * The GKE window and the Cloud SQL backup may share hours: a snapshot backup does not touch the
 * cluster, and surge upgrades with PDBs keep the services up.
 */

/** Start of Cloud SQL's daily backup window (HH:MM UTC); the backup starts within 4 hours of it. */
export const cloudSqlBackupStart = "16:00";
/** Cloud SQL's weekly maintenance hour: `day` 1 = Monday ... 7 = Sunday, `hour` in UTC. */
export const cloudSqlMaintenance = { day: 7, hour: 15 } as const;
/** Start of GKE's daily maintenance window (HH:MM UTC); GKE makes a daily window 4 hours long. */
export const gkeMaintenanceStart = "16:00";
