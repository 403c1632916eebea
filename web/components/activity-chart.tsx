/**
 * Requests per day as an SVG bar chart, rendered on the server (no chart library, no inline
 * styles: colours come from the `.chart` classes in globals.css). Screen readers get a summary
 * on the image and the numbers in a table.
 */

export interface DayCount {
  /** The UTC day, `YYYY-MM-DD`. */
  readonly day: string;
  readonly count: number;
}

const dayLabel = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const longDayLabel = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

/** An even, round top for the scale (2, 4, 6, 8, 10, 20, 40 …) so the middle line is a whole number. */
function scaleTop(max: number): number {
  if (max <= 1) return 1;
  for (let magnitude = 1; ; magnitude *= 10) {
    for (const step of [2, 4, 6, 8, 10]) if (step * magnitude >= max) return step * magnitude;
  }
}

const width = 640;
const height = 200;
const margin = { top: 12, right: 8, bottom: 28, left: 36 };
const plotWidth = width - margin.left - margin.right;
const plotHeight = height - margin.top - margin.bottom;

const plural = (n: number, one: string, many: string) =>
  `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

export function ActivityChart({
  data,
  subject,
}: {
  data: readonly DayCount[];
  /** What is counted, e.g. "your requests" or "requests in your organisation". */
  subject: string;
}) {
  const total = data.reduce((sum, d) => sum + d.count, 0);
  const busiest = data.reduce<DayCount | null>((best, d) => (best && best.count >= d.count ? best : d), null);
  const top = scaleTop(busiest?.count ?? 0);
  const slot = plotWidth / Math.max(1, data.length);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (count: number) => margin.top + plotHeight - (count / top) * plotHeight;
  const ticks = top === 1 ? [0, 1] : [0, top / 2, top];
  const first = data[0];
  const last = data.at(-1);
  const label = (day: string) => dayLabel.format(new Date(`${day}T00:00:00Z`));
  const range = first && last ? `${label(first.day)} to ${label(last.day)}` : '';
  const summary =
    total === 0
      ? `Bar chart of ${subject} per day, ${range}: none.`
      : `Bar chart of ${subject} per day, ${range}: ${plural(total, 'request', 'requests')} in total; ` +
        `the busiest day was ${busiest ? `${label(busiest.day)} with ${busiest.count}` : 'none'}.`;

  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary} focusable="false">
        {ticks.map((tick) => (
          <g key={tick}>
            <line
              className="axis"
              x1={margin.left}
              x2={width - margin.right}
              y1={y(tick)}
              y2={y(tick)}
              strokeWidth={tick === 0 ? 1 : 0.5}
              strokeDasharray={tick === 0 ? undefined : '3 3'}
            />
            <text x={margin.left - 6} y={y(tick) + 3} textAnchor="end">
              {tick}
            </text>
          </g>
        ))}
        {data.map((d, index) => {
          const x = margin.left + index * slot + (slot - barWidth) / 2;
          return (
            <g key={d.day}>
              {d.count > 0 ? (
                <rect className="bar" x={x} y={y(d.count)} width={barWidth} height={y(0) - y(d.count)} rx={2}>
                  <title>{`${label(d.day)}: ${plural(d.count, 'request', 'requests')}`}</title>
                </rect>
              ) : null}
              {(data.length - 1 - index) % 7 === 0 ? (
                <text x={x + barWidth / 2} y={height - margin.bottom + 16} textAnchor="middle">
                  {label(d.day)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption className="muted small">
        {`${plural(total, 'request', 'requests')} in the last ${data.length} days (${subject}), by day in UTC.`}
      </figcaption>
      <details>
        <summary>Show the numbers per day</summary>
        <div className="table-wrap">
          <table>
            <caption>{`Requests per day, ${range} (UTC)`}</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Requests</th>
              </tr>
            </thead>
            <tbody>
              {[...data].reverse().map((d) => (
                <tr key={d.day}>
                  <td>
                    <time dateTime={d.day}>{longDayLabel.format(new Date(`${d.day}T00:00:00Z`))}</time>
                  </td>
                  <td>{d.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
