// Draws the listening charts from the figures the page already shows as tables.
(function () {
  const source = document.getElementById("listening-chart");
  if (!source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const palette = ["#2f5d8a", "#c0572b", "#4f8a3c", "#8a4f9e", "#b38b00", "#3b8a8a", "#7a7a7a"];
  const volume = document.getElementById("volume-chart");
  if (volume) {
    new Chart(volume, {
      type: "line",
      data: {
        labels: data.days,
        datasets: data.queries.map((q, i) => ({
          label: q.name, data: q.values, borderColor: palette[i % palette.length],
          backgroundColor: palette[i % palette.length], tension: 0.2, pointRadius: 0,
        })),
      },
      options: { animation: false, interaction: { mode: "index", intersect: false } },
    });
  }
  const sentiment = document.getElementById("sentiment-chart");
  if (sentiment) {
    const s = data.sentiment;
    new Chart(sentiment, {
      data: {
        labels: data.days,
        datasets: [
          { type: "bar", label: data.labels.positive, data: s.positive, backgroundColor: "#4f8a3c", stack: "s" },
          { type: "bar", label: data.labels.neutral, data: s.neutral, backgroundColor: "#b8b8b8", stack: "s" },
          { type: "bar", label: data.labels.negative, data: s.negative, backgroundColor: "#c0392b", stack: "s" },
          { type: "line", label: data.labels.reputation, data: data.reputation, yAxisID: "index",
            borderColor: "#2f5d8a", pointRadius: 0, spanGaps: true },
        ],
      },
      options: {
        animation: false,
        scales: { x: { stacked: true }, y: { stacked: true }, index: { position: "right", min: 0, max: 100 } },
      },
    });
  }
})();
