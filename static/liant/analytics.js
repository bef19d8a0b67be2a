// Draws one line chart per KPI from the figures the page already shows as tables.
(function () {
  // Printed, the tables behind the charts are part of the report: open them first.
  window.addEventListener("beforeprint", () => {
    document.querySelectorAll(".analytics-kpi details").forEach((d) => { d.open = true; });
  });
  const source = document.getElementById("analytics-chart");
  if (!source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const byKey = Object.fromEntries(data.kpis.map((k) => [k.id, k]));
  document.querySelectorAll("canvas.analytics-chart").forEach((canvas) => {
    const kpi = byKey[canvas.dataset.kpi];
    if (!kpi) return;
    // Sparse series (a median on the few days with answers) would vanish without points.
    const known = kpi.values.filter((v) => v !== null).length;
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.days,
        datasets: [{ label: kpi.label, data: kpi.values, borderColor: "#2f5d8a",
          backgroundColor: "#2f5d8a", tension: 0.2, pointRadius: known < 20 ? 3 : 0, spanGaps: true }],
      },
      options: { animation: false, plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true } } },
    });
  });
})();
