/*
 * Prometheus text exposition, written by hand: a handful of counters kept in memory and gauges
 * computed at scrape time from the database (so a scrape never runs a host command).
 */

type Labels = Record<string, string | number>;

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels, by = 1) {
    const key = JSON.stringify(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values()) {
      lines.push(`${this.name}${renderLabels(labels)} ${value}`);
    }
    return lines;
  }
}

export interface GaugeSample {
  name: string;
  help: string;
  samples: Array<{ labels?: Labels; value: number }>;
}

export class Metrics {
  readonly requests = new Counter('apiary_agent_http_requests_total', 'HTTP requests served');
  readonly requestMs = new Counter(
    'apiary_agent_http_request_duration_ms_sum',
    'Total milliseconds spent serving HTTP requests',
  );
  readonly commands = new Counter('apiary_agent_host_commands_total', 'Host commands run');
  readonly commandMs = new Counter(
    'apiary_agent_host_command_duration_ms_sum',
    'Total milliseconds spent in host commands',
  );
  readonly operations = new Counter('apiary_agent_operations_total', 'VM operations finished');

  observeRequest(method: string, route: string, status: number, ms: number) {
    this.requests.inc({ method, route, status });
    this.requestMs.inc({ method, route }, ms);
  }

  observeCommand(command: string, exitCode: number, ms: number) {
    this.commands.inc({ command, result: exitCode === 0 ? 'ok' : 'error' });
    this.commandMs.inc({ command }, ms);
  }

  render(gauges: GaugeSample[]): string {
    const lines = [
      ...this.requests.render(),
      ...this.requestMs.render(),
      ...this.commands.render(),
      ...this.commandMs.render(),
      ...this.operations.render(),
    ];
    for (const g of gauges) {
      lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`);
      for (const s of g.samples) lines.push(`${g.name}${renderLabels(s.labels ?? {})} ${s.value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function renderLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(
    ([k, v]) =>
      `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
}
