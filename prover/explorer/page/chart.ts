/// <reference lib="dom" />
/**
 * Charts on Chart.js (tree-shaken: only the bar chart parts are registered), wrapped in a Preact
 * component that creates the chart on mount, updates it on new data and destroys it on unmount.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { h, type JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface BarSeries {
  readonly label: string;
  readonly data: readonly number[];
  readonly color: string;
}

export function BarChart(props: {
  id: string;
  labels: readonly string[];
  series: readonly BarSeries[];
  stacked?: boolean;
  horizontal?: boolean;
}): JSX.Element {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  useEffect(() => {
    const data = {
      labels: [...props.labels],
      datasets: props.series.map((s) => ({ label: s.label, data: [...s.data], backgroundColor: s.color, maxBarThickness: 48 })),
    };
    if (chart.current) {
      chart.current.data = data;
      chart.current.update('none');
      return;
    }
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      type: 'bar',
      data,
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: props.horizontal ? 'y' : 'x',
        scales: { x: { stacked: props.stacked ?? false }, y: { stacked: props.stacked ?? false, beginAtZero: true } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
  }, [JSON.stringify(props.labels), JSON.stringify(props.series)]);
  useEffect(() => () => chart.current?.destroy(), []);
  return h('div', { class: 'chart', id: props.id }, h('canvas', { ref: canvas }));
}
