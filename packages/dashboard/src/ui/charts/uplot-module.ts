/*
 * uPlot and its stylesheet as one chunk, imported on demand by the chart wrapper: pages
 * without charts never download it.
 */
import 'uplot/dist/uPlot.min.css';
import uPlot from 'uplot';

export default uPlot;
