// Run by maven-invoker-plugin (../pom.xml) after `mvn package` of this project: starts the example
// as a user would, on the module path with plain `java` (the JDK running the build) and no JVM
// flags, and fails the main build if it exits non-zero, prints anything on stderr (an SLF4J or
// native-access warning, a failed check) or does not finish its checks.
def target = new File(basedir, 'target')

// The consumer was built against the memdb jar this build just packaged (installed into the
// invoker's own local repository, not ~/.m2); run it with that jar.
def built = new File(memdbJar)
def used = new File(localRepositoryPath, "dev/memdb/memdb/$memdbVersion/memdb-${memdbVersion}.jar")
if (!used.isFile() || used.bytes != built.bytes) {
  throw new IllegalStateException("examples/ did not get the memdb jar just built: $used vs $built")
}

def java = new File(System.getProperty('java.home'), 'bin/java').path
def modulePath = [new File(target, 'memdb-example-1.0.jar'), used].join(File.pathSeparator)
def command = [java, '-p', modulePath, '-m', 'dev.memdb.example/dev.memdb.example.Main']
def pb = new ProcessBuilder(command).directory(basedir)
// No JVM flags: not even ones the environment would add (the JVM reports those on stderr).
pb.environment().remove('JAVA_TOOL_OPTIONS')
pb.environment().remove('JDK_JAVA_OPTIONS')
pb.environment().remove('_JAVA_OPTIONS')
def process = pb.start()
def out = new StringBuilder()
def err = new StringBuilder()
def readers = [process.consumeProcessOutputStream(out), process.consumeProcessErrorStream(err)]
if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
  process.destroyForcibly()
  throw new IllegalStateException('the example did not finish in 60 s')
}
readers*.join() // what the process wrote before it exited
int status = process.exitValue()
println "\$ ${command.join(' ')}"
print out
println "exit status $status; stderr ${err.length()} characters"
if (status != 0 || err.length() != 0 || !out.toString().contains('checks passed')) {
  throw new IllegalStateException(
      "the example failed: exit status $status, stderr:\n$err\nstdout:\n$out")
}
return true
