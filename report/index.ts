/**
 * `nla-toolkit/report`: dependency-free reports — SVG histograms, self-contained HTML pages, a run's
 * trace report and a comparison report.
 * @module nla-toolkit/report
 */
export { htmlPage, htmlTable, type PageSection } from './html-page.js';
export { histogramPlot } from './svg-histogram.js';
export { traceReport } from './trace-report.js';
export { comparisonReport } from './compare-report.js';
