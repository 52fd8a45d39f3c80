// Wires the dashboard: one Session (the open database, its stats and events,
// and the painter every panel draws through), the Records kept of it (log,
// compaction history, chart points; saved across reloads), the live
// overview panels on the left, tools in tabs on the right.
import './styles.css';
import { h } from './app/dom.js';
import { Records } from './app/records.js';
import { SavedHistory } from './app/saved-history.js';
import { Session } from './app/session.js';
import { mountTabs, type Tool } from './app/tabs.js';
import { mountMemtable } from './panels/memtable.js';
import { mountHealth } from './panels/health.js';
import { mountLevels } from './panels/levels.js';
import { mountCompaction } from './panels/compaction.js';
import { mountCharts } from './panels/charts.js';
import { mountConsole } from './panels/console.js';
import { mountKeys } from './panels/keys.js';
import { mountWorkload } from './panels/workload.js';
import { mountBench } from './panels/bench.js';
import { mountDatabases, openInitialDatabase } from './panels/databases.js';
import { mountLogs } from './panels/logs.js';
import { mountMetrics } from './panels/metrics.js';
import { mountTopbar } from './panels/topbar.js';

const session = new Session();
const saved = new SavedHistory();
const records = new Records(session, saved);
const health = mountHealth(session, records);

const tools: Tool[] = [
  { id: 'console', label: 'Console', mount: () => mountConsole(session) },
  { id: 'keys', label: 'Keys', mount: () => mountKeys(session) },
  { id: 'workload', label: 'Workload', mount: () => mountWorkload(session, records) },
  { id: 'bench', label: 'Benchmark', mount: () => mountBench(session) },
  { id: 'databases', label: 'Databases', mount: () => mountDatabases(session, saved) },
  { id: 'logs', label: 'Logs', mount: () => mountLogs(session, records) },
  { id: 'metrics', label: 'Metrics', mount: () => mountMetrics(session) },
];

const wide = (el: HTMLElement) => {
  el.classList.add('wide');
  return el;
};

const toolsColumn = h('aside', { class: 'tools', 'aria-label': 'Tools' }, mountTabs(tools));

document.getElementById('app')!.append(
  mountTopbar(session, health.badge, toolsColumn),
  h(
    'main',
    { class: 'layout' },
    h(
      'div',
      { class: 'overview' },
      mountMemtable(session),
      health.panel,
      wide(mountLevels(session)),
      wide(mountCompaction(session, records)),
      wide(mountCharts(session, records)),
    ),
    toolsColumn,
  ),
);

void openInitialDatabase(session);
