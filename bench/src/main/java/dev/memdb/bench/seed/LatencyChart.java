package dev.memdb.bench.seed;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Latency-by-percentile charts in the HdrHistogram plotter's style: the x axis is {@code 1 / (1 -
 * percentile)} on a log scale, labelled 0%, 90%, 99%, 99.9%…, the y axis latency in µs (log).
 */
final class LatencyChart {
  private static final double MAX_X = 1e6; // 99.9999 %
  private static final Color[] COLORS = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)
  };

  private LatencyChart() {}

  /** One chart: one series per system, for one operation. */
  static XYChart chart(String op, Map<String, Histogram> bySystem, String subtitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(800)
            .height(560)
            .title(op + " latency by percentile" + (subtitle.isEmpty() ? "" : " (" + subtitle + ")"))
            .xAxisTitle("percentile")
            .yAxisTitle("latency (µs)")
            .build();
    var styler = chart.getStyler();
    styler.setXAxisLogarithmic(true);
    styler.setYAxisLogarithmic(true);
    styler.setXAxisTickLabelsFormattingFunction(LatencyChart::percentileLabel);
    styler.setYAxisDecimalPattern("#,##0.##");
    styler.setLegendPosition(Styler.LegendPosition.InsideNW);
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotGridLinesVisible(true);
    styler.setXAxisMax(MAX_X);
    styler.setXAxisMin(1.0);
    int c = 0;
    for (Map.Entry<String, Histogram> e : bySystem.entrySet()) {
      Histogram h = e.getValue();
      if (h.getTotalCount() == 0) {
        continue;
      }
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (HistogramIterationValue v : h.percentiles(5)) {
        double p = v.getPercentileLevelIteratedTo() / 100.0;
        double x = p >= 1.0 ? MAX_X : Math.min(MAX_X, 1.0 / (1.0 - p));
        xs.add(x);
        ys.add(Math.max(0.01, h.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0));
        if (x >= MAX_X) {
          break;
        }
      }
      XYSeries s = chart.addSeries(e.getKey(), xs, ys);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(COLORS[c++ % COLORS.length]);
      s.setLineStyle(new BasicStroke(2f));
    }
    return chart;
  }

  static String percentileLabel(Double x) {
    if (x <= 1.0) {
      return "0%";
    }
    double p = 100.0 * (1.0 - 1.0 / x);
    String s = String.format("%.6f", p).replaceAll("0+$", "").replaceAll("\\.$", "");
    return s + "%";
  }

  static void save(XYChart chart, Path file) throws IOException {
    ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", file.toFile());
  }

  static void saveGrid(List<XYChart> charts, int cols, Path file) throws IOException {
    int rows = (charts.size() + cols - 1) / cols;
    try (OutputStream os = Files.newOutputStream(file)) {
      BitmapEncoder.saveBitmap(charts, rows, cols, os, BitmapEncoder.BitmapFormat.PNG);
    }
  }
}
