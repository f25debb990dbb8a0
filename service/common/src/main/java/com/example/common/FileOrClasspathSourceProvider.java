package com.example.common;

import io.dropwizard.configuration.ConfigurationSourceProvider;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the configuration from a file when one exists at the given path, else from the classpath,
 * so the jar runs with its embedded config and an operator can still point it at a file.
 */
public final class FileOrClasspathSourceProvider implements ConfigurationSourceProvider {

  @Override
  public InputStream open(String path) throws IOException {
    Path file = Path.of(path);
    if (Files.isRegularFile(file)) {
      return Files.newInputStream(file);
    }
    String resource = path.startsWith("/") ? path.substring(1) : path;
    InputStream stream =
        Thread.currentThread().getContextClassLoader().getResourceAsStream(resource);
    if (stream == null) {
      throw new FileNotFoundException(
          "no configuration file or classpath resource named '" + path + "'");
    }
    return stream;
  }
}
