// Starts a real standalone Solr 9 (the JettySolrRunner of Solr's own test framework) on 127.0.0.1.
// Run as a single-file program: java -cp 'lib/*' Launcher.java SOLR_HOME PORT
// Exits non-zero when a core fails to load, because JettySolrRunner.start() does not throw for that
// and Jetty's non-daemon threads would otherwise keep a broken server alive.
import java.util.Map;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

public class Launcher {
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: Launcher SOLR_HOME PORT");
      System.exit(2);
    }
    JettyConfig config = JettyConfig.builder()
        .setPort(Integer.parseInt(args[1]))
        .setContext("/solr")
        .stopAtShutdown(true)
        .useOnlyHttp1(true)
        .build();
    JettySolrRunner solr = new JettySolrRunner(args[0], config);
    try {
      solr.start();
    } catch (Exception e) {
      System.err.println("Solr failed to start on port " + args[1] + ": " + e);
      System.exit(1);
    }
    Map<String, ?> failures = solr.getCoreContainer().getCoreInitFailures();
    if (!failures.isEmpty()) {
      System.err.println("Solr cores failed to load: " + failures);
      solr.stop();
      System.exit(1);
    }
    System.out.println("Solr ready at " + solr.getBaseUrl());
  }
}
