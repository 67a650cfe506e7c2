package dev.memdb.tools;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG line charts of memory over time, with XChart: every series has its own colour and style
 * (series that are equal by design are drawn as a thick translucent line with a thin dashed one on
 * top, so both stay visible), the phases of the run are vertical lines with labels, and a band
 * under the plot gives the run's configuration and any warning (so the chart reads without the
 * report). With few points (a short run) every sample is also drawn as a marker.
 */
final class Charts {
  static final double MIB = 1024.0 * 1024.0;

  static final Color BLUE = new Color(0x1f77b4);
  static final Color RED = new Color(0xd62728);
  static final Color GREEN = new Color(0x2ca02c);
  static final Color ORANGE = new Color(0xff7f0e);
  static final Color PURPLE = new Color(0x9467bd);
  static final Color BROWN = new Color(0x8c564b);
  static final Color GREY = new Color(0x7f7f7f);

  /** Below this many points (or on a run too short to sample) a thin series gets a marker at each point. */
  static final int MARKERS_BELOW = 30;

  private static final int WIDTH = 1100;
  private static final int HEIGHT = 620;

  private Charts() {}

  /** How a series is drawn. */
  enum Style {
    /** a 2 px solid line */
    SOLID,
    /** a 2 px dashed line */
    DASHED,
    /** a 1.5 px dashed line, meant to lie on top of a {@link #THICK} one that it equals by design */
    THIN_DASHED,
    /** a 9 px translucent line, meant to have a thin one on top of it */
    THICK,
    /** a translucent area down to 0, with a 1 px edge */
    AREA
  }

  /**
   * A series: name (the legend's text), y values in bytes, colour and style, and its own x values
   * in seconds (null: the chart's).
   */
  record Line(String name, double[] bytes, Color color, Style style, double[] seconds) {
    Line(String name, double[] bytes, Color color, Style style) {
      this(name, bytes, color, style, null);
    }
  }

  /** A moment of the run, marked by a vertical line with a label. */
  record Phase(double seconds, String label) {}

  static Line line(
      List<Sampler.Sample> samples, String name, ToLongFunction<Sampler.Sample> f, long minus, Color color, Style style) {
    double[] y = new double[samples.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = f.applyAsLong(samples.get(i)) - minus;
    }
    return new Line(name, y, color, style);
  }

  static double[] seconds(List<Sampler.Sample> samples) {
    return samples.stream().mapToDouble(Sampler.Sample::seconds).toArray();
  }

  /** The phases the run marked in its samples (samples with a note), labelled by {@code labels}. */
  static List<Phase> phases(List<Sampler.Sample> samples, Map<String, String> labels) {
    List<Phase> phases = new ArrayList<>();
    for (Sampler.Sample s : samples) {
      String label = labels.get(s.note());
      if (label != null) {
        phases.add(new Phase(s.seconds(), label));
      }
    }
    return phases;
  }

  /** A chart of memory (MiB) over time (s). */
  static XYChart chart(String title, double[] seconds, List<Line> lines, List<Phase> phases, boolean markers) {
    XYChart chart =
        new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("time (s)").yAxisTitle("MiB").build();
    style(chart);
    double yMax = 0, yMin = 0;
    double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY;
    for (Line l : lines) {
      double[] y = new double[l.bytes().length];
      for (int i = 0; i < y.length; i++) {
        y[i] = l.bytes()[i] / MIB;
        if (!Double.isNaN(y[i])) {
          yMax = Math.max(yMax, y[i]);
          yMin = Math.min(yMin, y[i]);
        }
      }
      double[] x = l.seconds() == null ? seconds : l.seconds();
      XYSeries s = chart.addSeries(l.name(), x, y);
      apply(s, l.color(), l.style(), markers || x.length < MARKERS_BELOW);
      if (x.length > 0) {
        xMin = Math.min(xMin, x[0]);
        xMax = Math.max(xMax, x[x.length - 1]);
      }
    }
    for (Phase p : phases) {
      xMin = Math.min(xMin, p.seconds());
      xMax = Math.max(xMax, p.seconds());
    }
    if (xMax <= xMin) {
      xMax = xMin + 1;
    }
    annotate(chart, phases, xMin, xMax, yMin, yMax == 0 ? 1 : yMax);
    return chart;
  }

  /**
   * Writes {@link #chart} to a PNG file, with {@code notes} (the configuration) and {@code
   * warnings} (in red; also put in the title) in a band under the plot.
   */
  static Path write(
      Path png, String title, double[] seconds, List<Line> lines, List<Phase> phases, List<String> notes,
      List<String> warnings) throws IOException {
    String t = warnings.isEmpty() ? title : "SHORT RUN (see below) | " + title;
    save(chart(t, seconds, lines, phases, !warnings.isEmpty()), notes, warnings, png);
    return png;
  }

  static void style(XYChart chart) {
    var st = chart.getStyler();
    st.setLegendPosition(Styler.LegendPosition.OutsideS); // under the plot: the phase labels use its top
    st.setLegendLayout(Styler.LegendLayout.Horizontal);
    st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    st.setXAxisDecimalPattern("0.##");
    st.setMarkerSize(5);
    st.setLegendBackgroundColor(new Color(255, 255, 255, 225));
    st.setChartBackgroundColor(Color.WHITE);
    st.setPlotBackgroundColor(Color.WHITE);
    st.setPlotGridLinesColor(new Color(0xdddddd));
    st.setAntiAlias(true);
    st.setAnnotationLineColor(new Color(0x555555));
    st.setAnnotationLineStroke(
        new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {3f, 3f}, 0f));
    st.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
    st.setAnnotationTextFontColor(new Color(0x333333));
  }

  static void apply(XYSeries s, Color c, Style style, boolean markers) {
    // Markers (one per sample) only on the thin lines: on lines drawn over each other they would hide
    // the line underneath.
    s.setMarker(markers && (style == Style.THIN_DASHED || style == Style.SOLID) ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    s.setMarkerColor(c);
    switch (style) {
      case SOLID -> {
        s.setLineColor(c);
        s.setLineStyle(new BasicStroke(2f));
      }
      case DASHED -> {
        s.setLineColor(c);
        s.setLineStyle(dash(2f, 9f, 5f));
      }
      case THIN_DASHED -> {
        s.setLineColor(c);
        s.setLineStyle(dash(1.5f, 6f, 4f));
      }
      case THICK -> {
        s.setLineColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 90));
        s.setLineStyle(new BasicStroke(9f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      }
      case AREA -> {
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
        s.setLineColor(c);
        s.setLineStyle(new BasicStroke(1f));
        s.setFillColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 60));
      }
    }
  }

  private static BasicStroke dash(float width, float on, float off) {
    return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {on, off}, 0f);
  }

  /**
   * Vertical lines with labels at the phases; the labels sit in room added above the data,
   * staggered over three rows so that phases close together stay readable.
   */
  static void annotate(XYChart chart, List<Phase> phases, double xMin, double xMax, double yMin, double yMax) {
    int rows = phases.size() > 1 ? 3 : 1;
    double room = yMax * (0.10 + 0.08 * rows);
    chart.getStyler().setYAxisMax(yMax + room);
    chart.getStyler().setYAxisMin(yMin < 0 ? yMin * 1.05 : 0.0);
    chart.getStyler().setXAxisMin(xMin);
    chart.getStyler().setXAxisMax(xMax + (xMax - xMin) * 0.02);
    double span = Math.max(1e-9, xMax - xMin) * 1.02;
    // A label's width in data units: about 7.5 px a character of the 12 pt bold font, on a plot of
    // about WIDTH - 90 px. Each label goes in the first row where it does not touch the one before.
    double perChar = span * 7.5 / (WIDTH - 90);
    double[] rowEnd = new double[rows];
    java.util.Arrays.fill(rowEnd, Double.NEGATIVE_INFINITY);
    for (Phase p : phases) {
      chart.addAnnotation(new AnnotationLine(p.seconds(), true, false));
      double half = perChar * p.label().length() / 2;
      double x = Math.min(Math.max(p.seconds(), xMin + half), xMin + span - half);
      int row = 0;
      while (row < rows - 1 && x - half < rowEnd[row] + perChar) {
        row++;
      }
      rowEnd[row] = x + half;
      chart.addAnnotation(new AnnotationText(p.label(), x, yMax + room * (0.85 - 0.28 * row), false));
    }
  }

  /** Saves the chart with a text band under it: the warnings in red, then the notes in grey. */
  static void save(XYChart chart, List<String> notes, List<String> warnings, Path png) throws IOException {
    ImageIO.write(withBand(BitmapEncoder.getBufferedImage(chart), notes, warnings), "png", png.toFile());
  }

  /** The image with a band of text lines under it (long lines wrapped at spaces). */
  static BufferedImage withBand(BufferedImage plot, List<String> notes, List<String> warnings) {
    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    Font bold = font.deriveFont(Font.BOLD);
    int width = plot.getWidth() - 30;
    Graphics2D scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
    List<String> warnLines = new ArrayList<>();
    for (String w : warnings) {
      warnLines.addAll(wrap(scratch.getFontMetrics(bold), "WARNING: " + w, width));
    }
    List<String> noteLines = new ArrayList<>();
    for (String n : notes) {
      noteLines.addAll(wrap(scratch.getFontMetrics(font), n, width));
    }
    scratch.dispose();
    int lineHeight = 18;
    int lines = warnLines.size() + noteLines.size();
    int band = lines == 0 ? 0 : 12 + lineHeight * lines;
    BufferedImage img = new BufferedImage(plot.getWidth(), plot.getHeight() + band, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, img.getWidth(), img.getHeight());
      g.drawImage(plot, 0, 0, null);
      if (band == 0) {
        return img;
      }
      g.setColor(new Color(0xcccccc));
      g.drawLine(10, plot.getHeight() + 2, img.getWidth() - 10, plot.getHeight() + 2);
      int y = plot.getHeight() + 4;
      g.setFont(bold);
      g.setColor(RED.darker());
      for (String w : warnLines) {
        y += lineHeight;
        g.drawString(w, 15, y);
      }
      g.setFont(font);
      g.setColor(new Color(0x333333));
      for (String n : noteLines) {
        y += lineHeight;
        g.drawString(n, 15, y);
      }
    } finally {
      g.dispose();
    }
    return img;
  }

  static List<String> wrap(FontMetrics fm, String s, int width) {
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
