package com.example.common.errors;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import java.util.Map;
import java.util.function.Function;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * A Dropwizard command ({@code server}, {@code check}) that reports a failed start as one line on
 * stderr, naming the environment variable at fault, instead of a stack trace.
 */
public final class OneLineErrorCommand extends Command {

  private final Command command;
  private final String service;
  private final Function<String, Map<String, String>> variablesOfFile;

  /**
   * @param variablesOfFile the configuration file given on the command line (null when none) to the
   *     setting paths and the environment variables that set them
   */
  public OneLineErrorCommand(
      Command command, String service, Function<String, Map<String, String>> variablesOfFile) {
    super(command.getName(), command.getDescription());
    this.command = command;
    this.service = service;
    this.variablesOfFile = variablesOfFile;
  }

  @Override
  public void configure(Subparser subparser) {
    command.configure(subparser);
  }

  @Override
  public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
    command.run(bootstrap, namespace);
  }

  @Override
  public void onError(Cli cli, Namespace namespace, Throwable error) {
    Map<String, String> variables = variablesOfFile.apply(namespace.getString("file"));
    cli.getStdErr().println(StartupErrors.describe(service, error, variables));
  }
}
