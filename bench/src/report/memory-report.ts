import type { ServerMemory, Snapshot } from "../memory/measure-server.js";
import type { TableSize, UserRows } from "../memory/sqlite-sizes.js";

export interface MemoryReport {
  readonly benchmark: string;
  readonly date: string;
  readonly command: string;
  readonly environment: Readonly<Record<string, string | number>>;
  readonly settings: Readonly<Record<string, string | number>>;
  readonly servers: readonly ServerMemory[];
  /** Entrance's SQLite rows, by user label. */
  readonly rows: Readonly<Record<string, UserRows>>;
  /** The overage user's user row once a group check has resolved and stored their groups. */
  readonly overageUserRowResolved: number;
  readonly tables: readonly TableSize[];
}

const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const kb = (bytes: number) =>
  bytes >= 10_240 ? `${(bytes / 1024).toFixed(1)} KiB` : `${whole.format(bytes)} B`;

/** Per row, where there are rows enough for pages not to dominate. */
const perRow = (bytes: number, rows: number) =>
  rows >= 100 ? `${whole.format(bytes / rows)} B` : "– (few rows)";

export function memoryMarkdown(report: MemoryReport): string {
  const signedIn = report.servers.find((s) => s.after.sessions > 0);
  const sessionsText = whole.format(signedIn?.after.sessions ?? 0);
  const warmText = whole.format(signedIn?.warm.sessions ?? 0);
  const list = (record: Readonly<Record<string, string | number>>) =>
    Object.entries(record).map(([key, value]) => `- ${key}: ${value}`);
  const servers = report.servers.map((s) => {
    const signedIn = s.after.sessions > 0;
    const slope = (pick: (snapshot: Snapshot) => number) =>
      signedIn ? kb((pick(s.after) - pick(s.warm)) / (s.after.sessions - s.warm.sessions)) : "–";
    const heap = (snapshot: Snapshot) => mb(snapshot.facts.memory.heapUsed);
    const own = Object.entries(s.after.facts.own)
      .map(([key, value]) => `${key} ${whole.format(value)}`)
      .join(", ");
    return (
      `| ${s.label} | ${mb(s.idle.rss)} | ${mb(s.after.rss)} | ${mb(s.after.facts.memory.rss)} | ` +
      `${heap(s.idle)} → ${heap(s.warm)} → ${heap(s.after)} | ` +
      `${slope((snapshot) => snapshot.facts.memory.rss)} | ` +
      `${slope((snapshot) => snapshot.facts.memory.heapUsed)} | ` +
      `${signedIn ? whole.format(s.cookieBytesPerSession) : "–"} | ${own || "–"} |`
    );
  });
  const users = Object.keys(report.rows);
  const row = (label: string, pick: (rows: UserRows) => number) =>
    `| ${label} | ${users.map((user) => `${whole.format(pick(report.rows[user] as UserRows))} B`).join(" | ")} |`;
  const tables = report.tables.map(
    (t) =>
      `| ${t.table} (+ ${t.indexes.length} index${t.indexes.length === 1 ? "" : "es"}) | ` +
      `${whole.format(t.rows)} | ${mb(t.bytes)} | ${perRow(t.bytes, t.rows)} | ${perRow(t.payload, t.rows)} |`,
  );
  return [
    `## ${report.benchmark}`,
    "",
    `${report.date}, \`${report.command}\``,
    "",
    ...list(report.environment),
    ...list(report.settings),
    "",
    `Server processes: RSS (resident set size, from /proc) idle and once ${sessionsText} sessions have each made one request; then after a full collection (\`gc()\`): RSS and heap used, idle → after ${warmText} sessions → after ${sessionsText}; per session: the slope from ${warmText} to ${sessionsText} sessions.`,
    "",
    `| server | RSS idle | RSS, ${sessionsText} sessions | RSS after gc(), ${sessionsText} sessions | heap used after gc() | RSS per session | heap per session | Cookie header per request (bytes) | held in process |`,
    "|---|--:|--:|--:|--:|--:|--:|--:|---|",
    ...servers,
    "",
    "Entrance's SQLite rows (records as SQLite stores them, by `dbstat`):",
    "",
    `| row | ${users.join(" | ")} |`,
    `|---|${users.map(() => "--:|").join("")}`,
    row("user (entrance_users)", (r) => r.userRow),
    row("token partition (entrance_token_partitions)", (r) => r.tokenPartitionRow),
    row("… of which the encrypted MSAL cache", (r) => r.tokenCacheBlob),
    row("one session (entrance_sessions)", (r) => r.sessionRow),
    row("one sign-in event (entrance_audit)", (r) => r.auditRow),
    "",
    `The overage user's row once a group check resolved and stored their groups: ${whole.format(report.overageUserRowResolved)} B.`,
    "",
    "Entrance's tables after the sign-ins (pages of the table and its indexes):",
    "",
    "| table | rows | file space | per row | records per row |",
    "|---|--:|--:|--:|--:|",
    ...tables,
    "",
  ].join("\n");
}
