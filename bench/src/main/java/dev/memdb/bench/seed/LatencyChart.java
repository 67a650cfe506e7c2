package dev.memdb.bench.seed;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
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

  /** Saves the chart with the run's configuration in a band under it. */
  static void save(XYChart chart, List<String> notes, Path file) throws IOException {
    ImageIO.write(withNotes(BitmapEncoder.getBufferedImage(chart), notes), "png", file.toFile());
  }

  /** Saves the charts in a grid of {@code cols} columns, with the configuration once under it. */
  static void saveGrid(List<XYChart> charts, int cols, List<String> notes, Path file) throws IOException {
    int rows = (charts.size() + cols - 1) / cols;
    List<BufferedImage> images = new ArrayList<>();
    for (XYChart c : charts) {
      images.add(BitmapEncoder.getBufferedImage(c));
    }
    int w = images.get(0).getWidth(), h = images.get(0).getHeight();
    BufferedImage grid = new BufferedImage(w * cols, h * rows, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = grid.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
      for (int i = 0; i < images.size(); i++) {
        g.drawImage(images.get(i), (i % cols) * w, (i / cols) * h, null);
      }
    } finally {
      g.dispose();
    }
    ImageIO.write(withNotes(grid, notes), "png", file.toFile());
  }

  /** The image with a band of text lines under it (long lines wrapped at spaces). */
  static BufferedImage withNotes(BufferedImage plot, List<String> notes) {
    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    Graphics2D scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
    FontMetrics fm = scratch.getFontMetrics(font);
    List<String> lines = new ArrayList<>();
    for (String n : notes) {
      lines.addAll(wrap(fm, n, plot.getWidth() - 30));
    }
    scratch.dispose();
    int lineHeight = 18;
    int band = lines.isEmpty() ? 0 : 12 + lineHeight * lines.size();
    BufferedImage img = new BufferedImage(plot.getWidth(), plot.getHeight() + band, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, img.getWidth(), img.getHeight());
      g.drawImage(plot, 0, 0, null);
      g.setColor(new Color(0xcccccc));
      g.drawLine(10, plot.getHeight() + 2, img.getWidth() - 10, plot.getHeight() + 2);
      g.setFont(font);
      g.setColor(new Color(0x333333));
      int y = plot.getHeight() + 4;
      for (String line : lines) {
        y += lineHeight;
        g.drawString(line, 15, y);
      }
    } finally {
      g.dispose();
    }
    return img;
  }

  private static List<String> wrap(FontMetrics fm, String s, int width) {
    List<String> out = new ArrayList<>();
    String indent = "";
    while (fm.stringWidth(indent + s) > width) {
      int cut = s.length();
      while (cut > 0 && (s.charAt(cut - 1) != ' ' || fm.stringWidth(indent + s.substring(0, cut - 1)) > width)) {
        cut--;
      }
      if (cut <= 1) {
        break; // one unbreakable word: let it run over
      }
      out.add(indent + s.substring(0, cut - 1));
      s = s.substring(cut);
      indent = "    ";
    }
    out.add(indent + s);
    return out;
  }
}
