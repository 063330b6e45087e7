/* app.js: the Wijkdashboard's small helpers (no build step, ES2015 at most).
 *
 * 1. Charts. Every table.figures[data-chart] gets a Chart.js chart in the
 *    figure.chart beside it, drawn from the table's own cells, so the table
 *    stays the accessible version and the chart never says anything else.
 *    Without window.Chart (chart.min.js missing) nothing is drawn and the
 *    empty figures are folded away; the tables carry the page.
 * 2. Buttons with data-confirm="text" ask window.confirm(text) before their
 *    form is sent (revoking a key, hiding an idea).
 *
 * The filters form is left alone on purpose: it is sent only with its button,
 * never on change (slow office machines, keyboard users).
 */
(function () {
  'use strict';

  /* ---- colours (see DESIGN-BRIEF.md, "The web pages") ---- */

  var TEXT = '#1A1A1A';
  var MUTED = '#505A64';
  var GRID = '#D5DCE3';
  var PRIMARY = '#003B73'; /* the header band's deep blue */
  var SECOND = '#D55E00'; /* Okabe-Ito vermillion: a highlighted row */
  /* Several series: Okabe-Ito, its blue replaced by the house blue and its
   * yellow left out (invisible as a line on white). From the ninth series on
   * the colours repeat with a dashed line and other point shapes, so no two
   * series differ by colour alone. */
  var SERIES = ['#003B73', '#E69F00', '#56B4E9', '#009E73', '#D55E00', '#CC79A7', '#000000'];
  var POINTS = ['circle', 'rect', 'triangle', 'rectRot', 'crossRot', 'star', 'rectRounded',
    'cross'];
  var DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3]];

  var FIGURE_MIN_BAR_PX = 30; /* height per label in a horizontal bar chart */

  /* Bars of the ninth series on repeat a colour: they get white diagonal
   * hatching, so two parts of a stack never look the same. */
  function hatched(colour) {
    var tile = document.createElement('canvas');
    tile.width = 8;
    tile.height = 8;
    var c = tile.getContext('2d');
    if (!c) {
      return colour;
    }
    c.fillStyle = colour;
    c.fillRect(0, 0, 8, 8);
    c.strokeStyle = 'rgba(255, 255, 255, 0.85)';
    c.lineWidth = 2;
    c.beginPath();
    c.moveTo(-2, 2);
    c.lineTo(2, -2);
    c.moveTo(0, 8);
    c.lineTo(8, 0);
    c.moveTo(6, 10);
    c.lineTo(10, 6);
    c.stroke();
    return c.createPattern(tile, 'repeat') || colour;
  }

  /* Legend rows below a chart of n series, for the figure's height. */
  function legendHeight(n, width) {
    var perRow = Math.max(1, Math.floor(width / 170));
    return n > 1 ? 16 + 26 * Math.ceil(n / perRow) : 0;
  }

  /* ---- reading the table ---- */

  function cleanText(el) {
    return el ? el.textContent.replace(/\s+/g, ' ').trim() : '';
  }

  /* The number in a cell's data-value; null for an empty or missing one
   * (too few responses to show), which the chart draws as a gap. */
  function cellNumber(cell) {
    if (!cell) {
      return null;
    }
    var v = cell.getAttribute('data-value');
    if (v === null) {
      return null;
    }
    v = v.trim();
    if (v === '') {
      return null;
    }
    var n = Number(v);
    return isFinite(n) ? n : null;
  }

  function numberAttr(el, name) {
    var v = el.getAttribute(name);
    if (v === null || v.trim() === '') {
      return null;
    }
    var n = Number(v);
    return isFinite(n) ? n : null;
  }

  function childCells(row, tag) {
    var out = [];
    for (var i = 0; i < row.cells.length; i++) {
      if (row.cells[i].tagName === tag) {
        out.push(row.cells[i]);
      }
    }
    return out;
  }

  function bodyRows(table) {
    var rows = [];
    for (var b = 0; b < table.tBodies.length; b++) {
      var r = table.tBodies[b].rows;
      for (var i = 0; i < r.length; i++) {
        rows.push(r[i]);
      }
    }
    return rows;
  }

  /* The text of the column header above a body cell (the last header row;
   * the tables have no colspans). */
  function headerText(table, cellIndex) {
    var head = table.tHead;
    if (!head || head.rows.length === 0) {
      return '';
    }
    var row = head.rows[head.rows.length - 1];
    return cleanText(row.cells[cellIndex]);
  }

  /* labels, and one series per chosen td column: {label, data, texts}. */
  function readTable(table) {
    var rows = bodyRows(table);
    var labels = [];
    var highlight = [];
    var tdRows = [];
    var width = 0;
    rows.forEach(function (row) {
      var th = childCells(row, 'TH')[0];
      var tds = childCells(row, 'TD');
      labels.push(cleanText(th));
      highlight.push(row.hasAttribute('data-highlight'));
      tdRows.push(tds);
      width = Math.max(width, tds.length);
    });

    var spec = (table.getAttribute('data-series') || '').trim();
    var columns = [];
    if (spec === 'all') {
      for (var c = 0; c < width; c++) {
        columns.push(c);
      }
    } else {
      var idx = spec === '' ? 0 : parseInt(spec, 10);
      columns.push(isFinite(idx) && idx >= 0 ? idx : 0);
    }

    var series = columns.map(function (col) {
      var data = [];
      var texts = [];
      var cellIndex = -1;
      tdRows.forEach(function (tds) {
        var cell = tds[col];
        data.push(cellNumber(cell));
        texts.push(cleanText(cell));
        if (cell && cellIndex < 0) {
          cellIndex = cell.cellIndex;
        }
      });
      return {
        label: cellIndex >= 0 ? headerText(table, cellIndex) : '',
        data: data,
        texts: texts
      };
    });
    return { labels: labels, highlight: highlight, series: series };
  }

  /* The figure.chart beside the table: right after it (the contract), or
   * right before it, or beside the div.table-wrap that holds it. */
  function findFigure(table) {
    var isFigure = function (el) {
      return el && el.tagName === 'FIGURE' && el.classList.contains('chart');
    };
    var around = [table];
    var parent = table.parentElement;
    if (parent && parent.classList.contains('table-wrap')) {
      around.push(parent);
    }
    for (var i = 0; i < around.length; i++) {
      if (isFigure(around[i].nextElementSibling)) {
        return around[i].nextElementSibling;
      }
      if (isFigure(around[i].previousElementSibling)) {
        return around[i].previousElementSibling;
      }
    }
    return null;
  }

  /* A long label in lines of about max characters, broken between words. */
  function wrapLabel(text, max) {
    if (text.length <= max) {
      return text;
    }
    var lines = [];
    var line = '';
    text.split(' ').forEach(function (word) {
      if (line && (line + ' ' + word).length > max) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + ' ' + word : word;
      }
    });
    if (line) {
      lines.push(line);
    }
    return lines;
  }

  function allIntegers(series) {
    return series.every(function (s) {
      return s.data.every(function (v) {
        return v === null || Number.isInteger(v);
      });
    });
  }

  function hasData(series) {
    return series.some(function (s) {
      return s.data.some(function (v) {
        return v !== null;
      });
    });
  }

  /* ---- numbers on the bars ---- */

  /* A plugin for one single-series bar chart: the table's own text for each
   * bar (so "40%" reads as in the table) at the bar's end, outside when it
   * fits there, else inside in white; a gap gets its cell text (the "–") at
   * the base line, so nobody reads it as a zero. */
  function barLabels(texts, fontFamily) {
    return {
      id: 'bkBarLabels',
      afterDatasetsDraw: function (chart) {
        if (chart.data.datasets.length !== 1) {
          return;
        }
        var meta = chart.getDatasetMeta(0);
        if (!meta || meta.hidden) {
          return;
        }
        var horizontal = chart.options.indexAxis === 'y';
        var indexScale = horizontal ? chart.scales.y : chart.scales.x;
        var valueScale = horizontal ? chart.scales.x : chart.scales.y;
        var area = chart.chartArea;
        var ctx = chart.ctx;
        var data = chart.data.datasets[0].data;
        ctx.save();
        ctx.font = 'bold 14px ' + fontFamily;
        meta.data.forEach(function (bar, i) {
          var text = texts[i];
          if (!text) {
            return;
          }
          var w = ctx.measureText(text).width;
          if (data[i] === null) {
            ctx.fillStyle = MUTED;
            var base = valueScale.getPixelForValue(Math.max(0, valueScale.min));
            var at = indexScale.getPixelForTick(i);
            if (horizontal) {
              ctx.textAlign = 'left';
              ctx.textBaseline = 'middle';
              ctx.fillText(text, Math.max(base, area.left) + 6, at);
            } else {
              ctx.textAlign = 'center';
              ctx.textBaseline = 'bottom';
              ctx.fillText(text, at, Math.min(base, area.bottom) - 4);
            }
            return;
          }
          var p = bar.getProps(['x', 'y', 'base'], true);
          if (!isFinite(p.x) || !isFinite(p.y)) {
            return;
          }
          if (horizontal) {
            var length = Math.abs(p.x - p.base);
            ctx.textBaseline = 'middle';
            if (p.x + 6 + w <= chart.width - 2) {
              ctx.fillStyle = TEXT;
              ctx.textAlign = 'left';
              ctx.fillText(text, p.x + 6, p.y);
            } else if (length >= w + 12) {
              ctx.fillStyle = '#FFFFFF';
              ctx.textAlign = 'right';
              ctx.fillText(text, p.x - 6, p.y);
            }
          } else {
            var height = Math.abs(p.base - p.y);
            ctx.textAlign = 'center';
            if (p.y - 4 - 16 >= 0) {
              ctx.fillStyle = TEXT;
              ctx.textBaseline = 'bottom';
              ctx.fillText(text, p.x, p.y - 4);
            } else if (height >= 24 && bar.width >= w + 4) {
              ctx.fillStyle = '#FFFFFF';
              ctx.textBaseline = 'top';
              ctx.fillText(text, p.x, p.y + 4);
            }
          }
        });
        ctx.restore();
      }
    };
  }

  /* ---- one chart ---- */

  function chartConfig(table, figure, fontFamily, reducedMotion) {
    var kind = table.getAttribute('data-chart');
    if (kind !== 'bar' && kind !== 'line') {
      return null;
    }
    var t = readTable(table);
    if (t.labels.length === 0 || t.series.length === 0 || !hasData(t.series)) {
      return null;
    }
    var single = t.series.length === 1;
    var title = (table.getAttribute('data-title') || '').trim();
    if (single && title) {
      t.series[0].label = title;
    }
    var valueTitle = single ? t.series[0].label : title;
    var categoryTitle = headerText(table, 0);
    var min = numberAttr(table, 'data-min');
    var max = numberAttr(table, 'data-max');
    var integers = allIntegers(t.series);
    var longest = t.labels.reduce(function (m, l) {
      return Math.max(m, l.length);
    }, 0);

    var valueAxis = {
      grid: { color: GRID },
      ticks: {},
      title: { display: valueTitle !== '', text: valueTitle }
    };
    var categoryAxis = {
      grid: { display: false },
      ticks: { autoSkip: kind === 'line' },
      title: { display: categoryTitle !== '', text: categoryTitle }
    };
    if (integers) {
      valueAxis.ticks.precision = 0;
    }
    if (min !== null) {
      valueAxis.min = min;
    }
    if (max !== null) {
      valueAxis.max = max;
    }

    var datasets;
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      locale: document.documentElement.lang === 'en' ? 'en-GB' : 'nl-NL',
      animation: reducedMotion ? false : { duration: 300 },
      layout: { padding: {} },
      plugins: {
        legend: {
          display: !single,
          position: 'bottom',
          labels: { usePointStyle: kind === 'line', boxWidth: 14, padding: 14 }
        },
        tooltip: {
          callbacks: {
            title: function (items) {
              return items.length ? t.labels[items[0].dataIndex] : '';
            },
            label: function (item) {
              var s = t.series[item.datasetIndex];
              var text = s.texts[item.dataIndex] || String(item.formattedValue);
              return s.label ? s.label + ': ' + text : text;
            }
          }
        }
      }
    };
    var plugins = [];

    if (kind === 'bar') {
      var horizontal = t.labels.length > 5 || longest > 18;
      var stacked = !single;
      valueAxis.beginAtZero = true;
      if (stacked) {
        valueAxis.stacked = true;
        categoryAxis.stacked = true;
      }
      var labels = horizontal ? t.labels.map(function (l) {
        return wrapLabel(l, 28);
      }) : t.labels;
      datasets = t.series.map(function (s, i) {
        var colour = SERIES[i % SERIES.length];
        if (i >= SERIES.length) {
          colour = hatched(colour);
        }
        return {
          label: s.label,
          data: s.data,
          backgroundColor: single ? t.highlight.map(function (h) {
            return h ? SECOND : PRIMARY;
          }) : colour,
          borderColor: '#FFFFFF',
          borderWidth: stacked ? 1 : 0,
          borderRadius: stacked ? 0 : 3,
          maxBarThickness: 56
        };
      });
      options.indexAxis = horizontal ? 'y' : 'x';
      options.scales = horizontal ? { x: valueAxis, y: categoryAxis } :
        { x: categoryAxis, y: valueAxis };
      if (single) {
        if (horizontal) {
          options.layout.padding.right = 56;
        } else {
          options.layout.padding.top = 22;
        }
        plugins.push(barLabels(t.series[0].texts, fontFamily));
      }
      if (horizontal) {
        /* room for every bar: the CSS height is a minimum */
        var lines = labels.reduce(function (m, l) {
          return Math.max(m, Array.isArray(l) ? l.length : 1);
        }, 1);
        var perLabel = Math.max(FIGURE_MIN_BAR_PX, lines * 18 + 12);
        var legend = legendHeight(t.series.length, figure.clientWidth);
        var need = t.labels.length * perLabel + 70 + legend;
        if (need > figure.clientHeight) {
          figure.style.height = need + 'px';
        }
      }
      return { type: 'bar', data: { labels: labels, datasets: datasets }, options: options,
        plugins: plugins };
    }

    /* line: a score or a mean over months */
    figure.classList.add('chart-line');
    if (!single) {
      var tall = figure.clientHeight + legendHeight(t.series.length, figure.clientWidth);
      figure.style.height = tall + 'px';
    }
    if (max === null) {
      valueAxis.grace = '5%';
    }
    datasets = t.series.map(function (s, i) {
      var colour = single ? PRIMARY : SERIES[i % SERIES.length];
      var cycle = Math.floor(i / SERIES.length);
      return {
        label: s.label,
        data: s.data,
        borderColor: colour,
        backgroundColor: colour,
        borderWidth: 3,
        borderDash: single ? [] : DASHES[cycle % DASHES.length],
        pointStyle: single ? 'circle' : POINTS[i % POINTS.length],
        pointRadius: 5,
        pointHoverRadius: 8,
        pointBorderColor: colour,
        pointBackgroundColor: colour,
        spanGaps: false,
        clip: 8, /* whole points on the axis range's edges */
        tension: 0,
        fill: false
      };
    });
    options.scales = { x: categoryAxis, y: valueAxis };
    options.interaction = { mode: 'nearest', intersect: false, axis: 'x' };
    return { type: 'line', data: { labels: t.labels, datasets: datasets }, options: options };
  }

  function drawCharts() {
    var tables = document.querySelectorAll('table.figures[data-chart]');
    var Chart = window.Chart;
    var fontFamily = window.getComputedStyle(document.body).fontFamily || 'sans-serif';
    var reducedMotion = !!(window.matchMedia &&
      window.matchMedia('(prefers-reduced-motion: reduce)').matches);
    if (Chart) {
      Chart.defaults.font.family = fontFamily;
      Chart.defaults.font.size = 14;
      Chart.defaults.color = TEXT;
      Chart.defaults.borderColor = GRID;
      Chart.defaults.plugins.tooltip.titleFont = { size: 15, weight: 'bold' };
      Chart.defaults.plugins.tooltip.bodyFont = { size: 14 };
      Chart.defaults.plugins.tooltip.padding = 10;
      Chart.defaults.plugins.tooltip.backgroundColor = 'rgba(0, 38, 77, 0.95)';
    }
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      var figure = findFigure(table);
      var canvas = figure ? figure.querySelector('canvas') : null;
      if (!canvas) {
        continue;
      }
      if (Chart && Chart.getChart && Chart.getChart(canvas)) {
        continue; /* drawn already */
      }
      var config = null;
      if (Chart) {
        try {
          config = chartConfig(table, figure, fontFamily, reducedMotion);
          if (config) {
            new Chart(canvas, config);
          }
        } catch (e) {
          config = null;
          if (window.console) {
            window.console.error('Wijkdashboard: a chart could not be drawn', e);
          }
        }
      }
      if (!config) {
        figure.classList.add('no-chart'); /* the table says it all */
      }
    }
  }

  /* ---- confirmations ---- */

  var lastSubmitter = null;

  function submitterOf(form, ev) {
    if (ev.submitter) {
      return ev.submitter;
    }
    /* older browsers: the button last clicked for this form, else its only
     * submit button */
    if (lastSubmitter && lastSubmitter.form === form) {
      return lastSubmitter;
    }
    var buttons = form.querySelectorAll('button:not([type]), button[type="submit"], ' +
      'input[type="submit"]');
    return buttons.length === 1 ? buttons[0] : null;
  }

  function watchConfirmations() {
    document.addEventListener('click', function (ev) {
      var el = ev.target && ev.target.closest ?
        ev.target.closest('button, input[type="submit"]') : null;
      if (el) {
        lastSubmitter = el;
      }
    }, true);
    document.addEventListener('submit', function (ev) {
      var form = ev.target;
      if (!form || form.tagName !== 'FORM') {
        return;
      }
      var button = submitterOf(form, ev);
      lastSubmitter = null;
      var text = button ? button.getAttribute('data-confirm') : null;
      if (text === null) {
        text = form.getAttribute('data-confirm');
      }
      if (text && !window.confirm(text)) {
        ev.preventDefault();
      }
    });
  }

  function start() {
    watchConfirmations();
    drawCharts();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
