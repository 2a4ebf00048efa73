/**
 * `nla-toolkit/report`: dependency-free reports — SVG line plots and histograms, self-contained HTML
 * pages, a run's trace report and a comparison report.
 * @packageDocumentation
 */
export { htmlPage, htmlTable, type PageSection } from './html-page.js';
export { linePlot, type Series, type PlotOptions } from './svg-plot.js';
export { histogramPlot } from './svg-histogram.js';
export { traceReport } from './trace-report.js';
export { comparisonReport, type ComparisonData } from './compare-report.js';
