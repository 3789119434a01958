import { type Frame, labelEvery, linePath, shortNumber, valueAxis, xAt, yAt } from "../lib/chart";
import { shortDay } from "../lib/date-range";

const frame: Frame = { width: 600, height: 220, left: 64, right: 24, top: 12, bottom: 28 };

export interface Series {
  label: string;
  values: (number | null)[];
}

function Axes({ days, ticks, max, unit }: { days: string[]; ticks: number[]; max: number; unit: string }) {
  const every = labelEvery(days.length);
  return (
    <g>
      {ticks.map((t) => (
        <g key={t}>
          <line
            className="axis"
            x1={frame.left}
            x2={frame.width - frame.right}
            y1={yAt(frame, t, max)}
            y2={yAt(frame, t, max)}
          />
          <text x={frame.left - 6} y={yAt(frame, t, max) + 4} textAnchor="end">
            {shortNumber(t)}
            {unit}
          </text>
        </g>
      ))}
      {days.map((day, i) =>
        i % every === 0 || i === days.length - 1 ? (
          <text
            key={day}
            x={xAt(frame, i, days.length)}
            y={frame.height - 8}
            textAnchor={i === days.length - 1 && days.length > 1 ? "end" : "middle"}
          >
            {shortDay(day)}
          </text>
        ) : null,
      )}
    </g>
  );
}

function Legend({ series }: { series: Series[] }) {
  if (series.length < 2) return null;
  return (
    <div className="legend">
      {series.map((s, i) => (
        <span key={s.label}>
          <span
            className={`legend-swatch series-${i}`}
            style={{ background: i ? "var(--warning)" : "var(--primary)" }}
          />
          {s.label}
        </span>
      ))}
    </div>
  );
}

/** A line per series over the days; the table beside it carries the same numbers for screen readers. */
export function LineChart({
  title,
  days,
  series,
  unit = "",
  fixedMax,
}: {
  title: string;
  days: string[];
  series: Series[];
  unit?: string;
  /** A fixed axis maximum (100 for percentages) instead of one from the data. */
  fixedMax?: number;
}) {
  const { max, ticks } = valueAxis(
    fixedMax ?? Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null))),
  );
  return (
    <figure className="card" style={{ margin: 0 }}>
      <figcaption>
        <h2>{title}</h2>
        <Legend series={series} />
      </figcaption>
      <svg className="chart" viewBox={`0 0 ${frame.width} ${frame.height}`} role="img" aria-label={title}>
        <Axes days={days} ticks={ticks} max={max} unit={unit} />
        {series.map((s, i) => (
          <g key={s.label} className={`series-${i}`}>
            <path className="line" d={linePath(frame, s.values, max)} />
            {/* A dot per day with data: a lone day (no neighbours to join) still shows. */}
            {s.values.map((value, day) =>
              value === null ? null : (
                <circle
                  key={days[day]}
                  cx={xAt(frame, day, days.length)}
                  cy={yAt(frame, value, max)}
                  r={2.5}
                />
              ),
            )}
          </g>
        ))}
      </svg>
      <DataTable title={title} days={days} series={series} />
    </figure>
  );
}

/** A bar per day (one series). */
export function BarChart({ title, days, series }: { title: string; days: string[]; series: Series }) {
  const { max, ticks } = valueAxis(Math.max(0, ...series.values.map((v) => v ?? 0)));
  const inner = frame.width - frame.left - frame.right;
  const barWidth = Math.max(2, (inner / Math.max(days.length, 1)) * 0.7);
  return (
    <figure className="card" style={{ margin: 0 }}>
      <figcaption>
        <h2>{title}</h2>
      </figcaption>
      <svg className="chart" viewBox={`0 0 ${frame.width} ${frame.height}`} role="img" aria-label={title}>
        <Axes days={days} ticks={ticks} max={max} unit="" />
        {series.values.map((value, i) => {
          const y = yAt(frame, value ?? 0, max);
          const x =
            days.length <= 1 ? frame.left + inner / 2 : frame.left + (inner * (i + 0.5)) / days.length;
          return (
            <rect
              // biome-ignore lint/suspicious/noArrayIndexKey: one bar per day, in day order
              key={i}
              className="series-0"
              x={x - barWidth / 2}
              y={y}
              width={barWidth}
              height={frame.height - frame.bottom - y}
            />
          );
        })}
      </svg>
      <DataTable title={title} days={days} series={[series]} />
    </figure>
  );
}

function DataTable({ title, days, series }: { title: string; days: string[]; series: Series[] }) {
  return (
    <details>
      <summary className="muted">Data</summary>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {series.map((s) => (
                <th scope="col" key={s.label}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {days.map((day, i) => (
              <tr key={day}>
                <td>{day}</td>
                {series.map((s) => (
                  <td key={s.label}>{s.values[i] ?? "—"}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
