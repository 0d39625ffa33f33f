/**
 * Browser code of the report (plain ES2017, run after the inlined ECharts bundle). Reads the JSON
 * in `#report-data` and draws one chart per `[data-chart]` element; charts are reachable with
 * `echarts.getInstanceByDom`.
 */
export const REPORT_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var result = data.result;
  var t = data.localAtMs;
  var pairs = function (values) { return values.map(function (value, index) { return [t[index], Math.round(value * 1000) / 1000]; }); };
  var base = { animation: false, tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 60, right: 60, top: 40, bottom: 60 } };
  var timeAxis = { type: 'time' };
  var zoom = [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }];
  var merge = function (a, b) { var out = {}; Object.keys(a).forEach(function (k) { out[k] = a[k]; }); Object.keys(b).forEach(function (k) { out[k] = b[k]; }); return out; };
  var charts = {};
  charts.demand = merge(base, {
    xAxis: timeAxis,
    yAxis: [{ type: 'value', name: 'cores' }, { type: 'value', name: 'GiB' }],
    dataZoom: zoom,
    series: [
      { name: 'demand (cores)', type: 'line', showSymbol: false, data: pairs(result.timeline.demand.cores) },
      { name: 'capacity (cores)', type: 'line', step: 'end', showSymbol: false, data: pairs(result.timeline.capacity.cores) },
      { name: 'demand (memory)', type: 'line', showSymbol: false, yAxisIndex: 1, lineStyle: { type: 'dashed' }, data: pairs(result.timeline.demand.memoryMb.map(function (v) { return v / 1024; })) },
      { name: 'capacity (memory)', type: 'line', step: 'end', showSymbol: false, yAxisIndex: 1, lineStyle: { type: 'dashed' }, data: pairs(result.timeline.capacity.memoryMb.map(function (v) { return v / 1024; })) }
    ]
  });
  var stateSeries = data.states.map(function (state) {
    return { name: state, type: 'line', stack: 'instances', areaStyle: {}, showSymbol: false, data: pairs(result.timeline.instancesByState[state]) };
  });
  if (result.timeline.oracleInstances) {
    stateSeries.push({ name: 'oracle (ideal fleet)', type: 'line', showSymbol: false, lineStyle: { type: 'dashed', color: '#222' }, data: pairs(result.timeline.oracleInstances) });
  }
  charts.instances = merge(base, { xAxis: timeAxis, yAxis: { type: 'value', name: 'instances' }, dataZoom: zoom, series: stateSeries });
  charts.sessions = merge(base, {
    xAxis: timeAxis,
    yAxis: { type: 'value', name: 'sessions' },
    dataZoom: zoom,
    series: [
      { name: 'running', type: 'line', showSymbol: false, data: pairs(result.timeline.sessionsRunning) },
      { name: 'waiting', type: 'line', showSymbol: false, areaStyle: {}, data: pairs(result.timeline.sessionsWaiting) }
    ]
  });
  charts.waits = merge(base, {
    tooltip: { trigger: 'item' },
    xAxis: { type: 'category', name: 'wait', data: data.waitLabels },
    yAxis: { type: 'log', name: 'sessions', min: 1 },
    series: [{ name: 'served sessions by wait', type: 'bar', data: result.waitHistogram.counts.map(function (c) { return c > 0 ? c : null; }) }]
  });
  var costSeries = [{ name: 'cost', type: 'bar', data: result.costPerDay.map(function (d) { return Math.round(d.cost * 100) / 100; }) }];
  if (result.oracle) costSeries.push({ name: 'oracle lower bound', type: 'bar', data: result.costPerDay.map(function (d) { return Math.round((d.oracleCost || 0) * 100) / 100; }) });
  charts.cost = merge(base, {
    xAxis: { type: 'category', data: result.costPerDay.map(function (d) { return d.day; }) },
    yAxis: { type: 'value', name: data.currency },
    series: costSeries
  });
  if (data.sweep) {
    var points = data.sweep.points;
    var label = function (p) { return Object.keys(p.settings).map(function (k) { return k + '=' + p.settings[k]; }).join(' '); };
    charts.pareto = merge(base, {
      tooltip: { trigger: 'item', formatter: function (item) { return item.data.name + '<br>cost ' + item.data.value[0] + ', p95 wait ' + item.data.value[1] + ' s'; } },
      xAxis: { type: 'value', name: 'cost', scale: true },
      yAxis: { type: 'value', name: 'p95 wait (s)', scale: true },
      series: [
        { name: 'settings', type: 'scatter', symbolSize: 10, data: points.map(function (p) { return { name: label(p), value: [Math.round(p.cost * 100) / 100, p.p95WaitSeconds] }; }) },
        { name: 'Pareto front', type: 'line', step: 'end', symbolSize: 12, data: data.sweep.front.map(function (i) { var p = points[i]; return { name: label(p), value: [Math.round(p.cost * 100) / 100, p.p95WaitSeconds] }; }) }
      ]
    });
  }
  var elements = document.querySelectorAll('[data-chart]');
  var instances = [];
  for (var i = 0; i < elements.length; i++) {
    var element = elements[i];
    var option = charts[element.getAttribute('data-chart')];
    if (!option) continue;
    var chart = echarts.init(element, null, { renderer: 'canvas', useUTC: true });
    chart.setOption(option);
    instances.push(chart);
  }
  window.addEventListener('resize', function () { instances.forEach(function (chart) { chart.resize(); }); });
  document.body.setAttribute('data-charts-rendered', String(instances.length));
})();
`;
