package dev.memdb.tools;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG line charts of memory over time, with XChart. */
final class Charts {
  private static final double MIB = 1024.0 * 1024.0;
  private static final Color[] COLORS = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
    new Color(0x8c564b), new Color(0x17becf)
  };

  private Charts() {}

  /** A series: name and y values in bytes. */
  record Line(String name, double[] bytes, boolean dashed) {}

  static Line line(List<Sampler.Sample> samples, String name, ToLongFunction<Sampler.Sample> f, long minus, boolean dashed) {
    double[] y = new double[samples.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = f.applyAsLong(samples.get(i)) - minus;
    }
    return new Line(name, y, dashed);
  }

  static double[] seconds(List<Sampler.Sample> samples) {
    return samples.stream().mapToDouble(Sampler.Sample::seconds).toArray();
  }

  /** Writes a chart of memory (MiB) over time (s). */
  static Path write(Path png, String title, double[] seconds, List<Line> lines) throws IOException {
    XYChart chart =
        new XYChartBuilder().width(1000).height(560).title(title).xAxisTitle("time (s)").yAxisTitle("MiB").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setMarkerSize(0);
    chart.getStyler().setPlotGridLinesColor(new Color(0xdddddd));
    chart.getStyler().setAntiAlias(true);
    Map<String, Line> unique = new LinkedHashMap<>();
    for (Line l : lines) {
      unique.put(l.name(), l);
    }
    int c = 0;
    for (Line l : unique.values()) {
      double[] y = new double[l.bytes().length];
      for (int i = 0; i < y.length; i++) {
        y[i] = l.bytes()[i] / MIB;
      }
      XYSeries s = chart.addSeries(l.name(), seconds, y);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(COLORS[c++ % COLORS.length]);
      s.setLineStyle(
          l.dashed()
              ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 5f}, 0f)
              : new BasicStroke(2f));
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    return png.toString().endsWith(".png") ? png : Path.of(png + ".png");
  }
}
